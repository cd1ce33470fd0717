"""Who is emailed about which event, and the fan-out that records it.

Fan-out turns one outbox event into one EmailDelivery per recipient address with
``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` over windows of subscriber ids:
the database does the work, no subscriber list is held in memory, and running
it twice (the job and a sweep) creates nothing twice. Each window's new
deliveries are handed to the caller as soon as they are committed, so sending
starts while the fan-out goes on.
"""
from __future__ import annotations

import logging
from typing import Callable, Optional

from flask import current_app
from sqlalchemy import and_, case, exists, false, func, literal, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ...extensions import db
from ...models import (
    EmailDelivery,
    MaintenanceComponent,
    Subscriber,
    SubscriberComponent,
    utcnow,
)
from .. import outbox
from . import content as email_content

log = logging.getLogger(__name__)

# event type -> the subscription scopes it reaches.
RULES = {
    "INCIDENT_CREATED": ("all", "components"),
    "INCIDENT_STATUS_CHANGED": ("all", "incident"),
    "INCIDENT_UPDATE_POSTED": ("all", "incident"),
    "POSTMORTEM_PUBLISHED": ("all", "incident"),
    "MAINTENANCE_SCHEDULED": ("all", "components"),
    "MAINTENANCE_STARTED": ("all", "components"),
    "MAINTENANCE_COMPLETED": ("all", "components"),
}

S = Subscriber


def _component_ids(conn, event) -> list[int]:
    if event.event_type.startswith("MAINTENANCE_"):
        if event.maintenance_id is not None:
            return list(conn.execute(select(MaintenanceComponent.component_id).where(
                MaintenanceComponent.maintenance_id == event.maintenance_id)).scalars())
        items = email_content.maintenance_of(event.public_payload).get("components") or []
    else:
        items = (event.public_payload.get("incident") or {}).get("components") or []
    return [c["id"] for c in items if isinstance(c, dict) and isinstance(c.get("id"), int)]


def recipients_filter(conn, event):
    """SQL condition on Subscriber: confirmed, reachable, and in a scope the event reaches."""
    scopes = []
    for scope in RULES[event.event_type]:
        if scope == "all":
            scopes.append(S.scope == "all")
        elif scope == "incident" and event.incident_id is not None:
            scopes.append(and_(S.scope == "incident", S.incident_id == event.incident_id))
        elif scope == "components":
            ids = _component_ids(conn, event)
            if ids:
                scopes.append(and_(S.scope == "components", exists().where(
                    SubscriberComponent.subscriber_id == S.id,
                    SubscriberComponent.component_id.in_(ids))))
    return and_(S.confirmed_at.is_not(None), S.unsubscribed_at.is_(None),
                S.suppressed_at.is_(None), or_(*scopes) if scopes else false())


def _subjects(conn, event, matching):
    """The subject in each recipient's locale, as an SQL expression: one render per locale."""
    locales = conn.execute(select(S.locale).where(matching).distinct()).scalars().all()
    default = email_content.subject_for(event.event_type, event.public_payload)
    subjects = {locale: email_content.subject_for(event.event_type, event.public_payload, locale)
                for locale in locales if locale != "en"}
    if not subjects:
        return literal(default)
    return case(subjects, value=S.locale, else_=literal(default))


def _insert(conn, select_stmt):
    columns = ["subscriber_id", "event_id", "kind", "to_address", "subject", "status",
               "attempts", "created_at", "updated_at"]
    maker = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = maker(EmailDelivery).from_select(columns, select_stmt)
    stmt = stmt.on_conflict_do_nothing(index_elements=["subscriber_id", "event_id"])
    return len(conn.execute(stmt.returning(EmailDelivery.id)).all())


def fanout(event_id: int, ready: Optional[Callable[[list[int]], None]] = None) -> int:
    """Create this event's deliveries window by window; return how many were created.

    ``ready(ids)`` receives each window's PENDING deliveries once they are committed.
    """
    window = current_app.config["DELIVERY_FANOUT_WINDOW"]
    created = 0
    with db.engine.connect() as conn:
        event = outbox.fanout_target(conn, event_id)
        if event is None:
            return 0
        if event.event_type in RULES and event.public_payload is not None:
            matching = recipients_filter(conn, event)
            subject = _subjects(conn, event, matching)
            # One delivery per mailbox even if it holds several matching subscriptions.
            first_per_address = select(func.min(S.id)).where(matching).group_by(S.email_key)
            now = utcnow()
            stamp = literal(now, EmailDelivery.__table__.c.created_at.type)
            after = 0
            while True:
                upper = conn.execute(select(S.id).where(S.id > after).order_by(S.id)
                                     .offset(window - 1).limit(1)).scalar()
                bounds = [S.id > after] + ([S.id <= upper] if upper is not None else [])
                rows = select(S.id, literal(event.id), literal("notification"), S.email,
                              subject, literal("PENDING"), literal(0), stamp, stamp
                              ).where(*bounds, S.id.in_(first_per_address))
                created += _insert(conn, rows)
                conn.commit()
                ids = conn.execute(select(EmailDelivery.id).join(S, S.id == EmailDelivery.subscriber_id)
                                   .where(EmailDelivery.event_id == event.id,
                                          EmailDelivery.status == "PENDING", *bounds)).scalars().all()
                if ready is not None:
                    ready(ids)
                if upper is None:
                    break
                after = upper
        outbox.mark_fanned_out(conn, event.id)
        conn.commit()
    log.info("fan-out of event %s (%s): %d deliveries", event.id, event.event_type, created)
    return created
