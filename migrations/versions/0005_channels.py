"""delivery channels: webhook subscribers, digests, integration deliveries, rendered bodies,
subscriber imports

Revision ID: 0005_channels
Revises: 0004_integrations
Create Date: 2026-12-01 21:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0005_channels"
down_revision = "0004_integrations"
branch_labels = None
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _partial(where: str) -> dict:
    return {"sqlite_where": sa.text(where), "postgresql_where": sa.text(where)}


def upgrade():
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=16), server_default="email", nullable=False))
        batch_op.add_column(sa.Column("endpoint", sa.String(length=2048), nullable=True))
        batch_op.add_column(sa.Column("secret_encrypted", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("consecutive_failures", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("mode", sa.String(length=16), server_default="immediate", nullable=False))
        batch_op.add_column(sa.Column("digest_event_id", _BIG, nullable=True))
        batch_op.add_column(sa.Column("last_digest_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint("channel", "channel in ('email','webhook')")
        batch_op.create_check_constraint("mode", "mode in ('immediate','daily')")
        batch_op.drop_index("uq_subscribers_page_mailbox")
        batch_op.drop_index("uq_subscribers_incident_mailbox")
        batch_op.create_index("uq_subscribers_page_mailbox", ["email_key"], unique=True,
                              **_partial("channel = 'email' AND scope IN ('all', 'components')"))
        batch_op.create_index("uq_subscribers_incident_mailbox", ["email_key", "incident_id"], unique=True,
                              **_partial("channel = 'email' AND scope = 'incident'"))
        batch_op.create_index("uq_subscribers_page_endpoint", ["endpoint"], unique=True,
                              **_partial("channel = 'webhook' AND scope IN ('all', 'components')"))
        batch_op.create_index("uq_subscribers_incident_endpoint", ["endpoint", "incident_id"], unique=True,
                              **_partial("channel = 'webhook' AND scope = 'incident'"))
    with op.batch_alter_table("email_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=16), server_default="email", nullable=False))
        batch_op.add_column(sa.Column("integration_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("response_code", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("response_excerpt", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("digest_events", sa.JSON(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_email_deliveries_integration_id_integrations"),
                                    "integrations", ["integration_id"], ["id"], ondelete="CASCADE")
        batch_op.create_index(batch_op.f("ix_email_deliveries_integration_id"), ["integration_id"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_email_deliveries_integration_id_event_id"),
                                          ["integration_id", "event_id"])
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rendered", sa.JSON(), nullable=True))
    op.create_table(
        "subscriber_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("csv_text", sa.Text(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("consent_note", sa.Text(), nullable=True),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.Column("errors", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status in ('pending','running','done','failed')",
                           name=op.f("ck_subscriber_imports_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriber_imports")),
    )


def downgrade():
    op.drop_table("subscriber_imports")
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_column("rendered")
    with op.batch_alter_table("email_deliveries", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_email_deliveries_integration_id_event_id"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_email_deliveries_integration_id"))
        batch_op.drop_constraint(batch_op.f("fk_email_deliveries_integration_id_integrations"),
                                 type_="foreignkey")
        for column in ("digest_events", "response_excerpt", "response_code", "integration_id", "channel"):
            batch_op.drop_column(column)
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        for name in ("uq_subscribers_incident_endpoint", "uq_subscribers_page_endpoint",
                     "uq_subscribers_incident_mailbox", "uq_subscribers_page_mailbox"):
            batch_op.drop_index(name)
        batch_op.create_index("uq_subscribers_page_mailbox", ["email_key"], unique=True,
                              **_partial("scope IN ('all', 'components')"))
        batch_op.create_index("uq_subscribers_incident_mailbox", ["email_key", "incident_id"], unique=True,
                              **_partial("scope = 'incident'"))
        batch_op.drop_constraint("ck_subscribers_mode", type_="check")
        batch_op.drop_constraint("ck_subscribers_channel", type_="check")
        for column in ("last_digest_at", "digest_event_id", "mode", "disabled_at",
                       "consecutive_failures", "secret_encrypted", "endpoint", "channel"):
            batch_op.drop_column(column)
