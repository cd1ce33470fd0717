"""one subscriber per mailbox: case-insensitive email_key, duplicates merged

Every spelling of one address (Victim@example.org, victim@example.org) becomes
one page-level subscription, and one row per followed incident. Duplicates merge
into the row confirmed earliest among those still subscribed, with the union of
their components ("all" if any of them had it); a group nobody is subscribed in
keeps its newest row and the latest unsubscribe. Deliveries move to the merged
row; one that would duplicate a delivery of the same event keeps its history
without naming a subscriber. A subscriber's requested scope change waits in
``requested_change`` until confirmed.

Revision ID: 0002_subscriber_mailbox
Revises: 0001
Create Date: 2026-12-01 18:20:00

"""
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0002_subscriber_mailbox"
down_revision = "0001"
branch_labels = None
depends_on = None

PAGE_SCOPES = ("all", "components")
_PAGE_WHERE = sa.text("scope IN ('all', 'components')")
_INCIDENT_WHERE = sa.text("scope = 'incident'")

subscribers = sa.table(
    "subscribers", sa.column("id", sa.Integer), sa.column("email", sa.String),
    sa.column("email_key", sa.String), sa.column("scope", sa.String),
    sa.column("incident_id", sa.Integer),
    sa.column("confirmed_at", sa.DateTime(timezone=True)),
    sa.column("unsubscribed_at", sa.DateTime(timezone=True)),
    sa.column("suppressed_at", sa.DateTime(timezone=True)))
subscriber_components = sa.table(
    "subscriber_components", sa.column("subscriber_id", sa.Integer),
    sa.column("component_id", sa.Integer))
deliveries = sa.table(
    "email_deliveries", sa.column("id", sa.Integer), sa.column("subscriber_id", sa.Integer),
    sa.column("event_id", sa.Integer))


def _key(email: str) -> str:
    return email.strip().lower()


def _merge(conn, rows) -> None:
    live = [r for r in rows if r.confirmed_at is not None and r.unsubscribed_at is None]
    if live:
        survivor = min(live, key=lambda r: (r.confirmed_at, r.id))
        chosen = live
        values = {"confirmed_at": survivor.confirmed_at, "unsubscribed_at": None,
                  "suppressed_at": max((r.suppressed_at for r in live if r.suppressed_at),
                                       default=None)}
    else:
        survivor = max(rows, key=lambda r: r.id)
        chosen = rows
        values = {"unsubscribed_at": max((r.unsubscribed_at for r in rows if r.unsubscribed_at),
                                         default=None)}
    ids = [r.id for r in rows]
    others = [i for i in ids if i != survivor.id]
    if survivor.scope in PAGE_SCOPES:
        values["scope"] = "all" if any(r.scope == "all" for r in chosen) else "components"
        union = set(conn.execute(sa.select(subscriber_components.c.component_id).where(
            subscriber_components.c.subscriber_id.in_([r.id for r in chosen]))).scalars())
        conn.execute(subscriber_components.delete().where(
            subscriber_components.c.subscriber_id.in_(ids)))
        if values["scope"] == "components" and union:
            conn.execute(subscriber_components.insert(),
                         [{"subscriber_id": survivor.id, "component_id": c} for c in sorted(union)])
    conn.execute(subscribers.update().where(subscribers.c.id == survivor.id).values(**values))
    for other in others:
        taken = sa.select(deliveries.c.event_id).where(
            deliveries.c.subscriber_id == survivor.id, deliveries.c.event_id.is_not(None))
        conn.execute(deliveries.update().where(
            deliveries.c.subscriber_id == other,
            sa.or_(deliveries.c.event_id.is_(None), deliveries.c.event_id.not_in(taken)),
        ).values(subscriber_id=survivor.id))
        conn.execute(deliveries.update().where(deliveries.c.subscriber_id == other)
                     .values(subscriber_id=None))
    if others:
        conn.execute(subscriber_components.delete().where(
            subscriber_components.c.subscriber_id.in_(others)))
        conn.execute(subscribers.delete().where(subscribers.c.id.in_(others)))


def upgrade():
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_key", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("requested_change", sa.JSON(), nullable=True))

    conn = op.get_bind()
    rows = conn.execute(sa.select(subscribers).order_by(subscribers.c.id)).all()
    if rows:
        conn.execute(subscribers.update().where(subscribers.c.id == sa.bindparam("row_id"))
                     .values(email_key=sa.bindparam("key")),
                     [{"row_id": r.id, "key": _key(r.email)} for r in rows])
    groups = defaultdict(list)
    for r in rows:
        place = "page" if r.scope in PAGE_SCOPES else r.incident_id
        groups[(_key(r.email), place)].append(r)
    for group in groups.values():
        if len(group) > 1:
            _merge(conn, group)

    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        batch_op.alter_column("email_key", existing_type=sa.String(length=254), nullable=False)
        batch_op.drop_index("ix_subscribers_email")
        batch_op.create_index("ix_subscribers_email_key", ["email_key"], unique=False)
    op.create_index("uq_subscribers_page_mailbox", "subscribers", ["email_key"], unique=True,
                    sqlite_where=_PAGE_WHERE, postgresql_where=_PAGE_WHERE)
    op.create_index("uq_subscribers_incident_mailbox", "subscribers", ["email_key", "incident_id"],
                    unique=True, sqlite_where=_INCIDENT_WHERE, postgresql_where=_INCIDENT_WHERE)


def downgrade():
    op.drop_index("uq_subscribers_incident_mailbox", table_name="subscribers")
    op.drop_index("uq_subscribers_page_mailbox", table_name="subscribers")
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        batch_op.drop_index("ix_subscribers_email_key")
        batch_op.create_index("ix_subscribers_email", ["email"], unique=False)
        batch_op.drop_column("requested_change")
        batch_op.drop_column("email_key")
