"""Who is notified of which event, on which channel, and the fan-out that records it.

Fan-out turns one outbox event into one delivery per recipient: per mailbox for
email, per endpoint for webhook subscribers, per enabled chat integration. It
uses ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` over windows of subscriber
ids: the database does the work, no subscriber list is held in memory, and
running it twice (the job and a sweep) creates nothing twice. Each window's new
deliveries are handed to the caller as soon as they are committed, so sending
starts while the fan-out goes on. Bodies for the HTTP channels are rendered
once per event, before the first delivery is handed out.
"""
from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Callable, Optional

from flask import current_app
from sqlalchemy import and_, case, exists, false, func, literal, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ...domain.deliveries import CHAT_CHANNELS, Channel, DeliveryState
from ...domain.statuses import label
from ...extensions import db
from ...models import (
    Delivery,
    Integration,
    MaintenanceComponent,
    Subscriber,
    SubscriberComponent,
    utcnow,
)
from .. import outbox, settings
from ..channels import render
from . import content as email_content

log = logging.getLogger(__name__)

# event type -> the subscription scopes it reaches (email subscribers and chat integrations).
RULES = {
    "INCIDENT_CREATED": ("all", "components"),
    "INCIDENT_STATUS_CHANGED": ("all", "incident"),
    "INCIDENT_UPDATE_POSTED": ("all", "incident"),
    "POSTMORTEM_PUBLISHED": ("all", "incident"),
    "MAINTENANCE_SCHEDULED": ("all", "components"),
    "MAINTENANCE_STARTED": ("all", "components"),
    "MAINTENANCE_COMPLETED": ("all", "components"),
}
# Webhook subscribers also hear of component changes, as Statuspage's do.
WEBHOOK_RULES = {**RULES, "COMPONENT_STATUS_CHANGED": ("all", "components")}

S = Subscriber
D = Delivery


def _component_ids(conn, event) -> list[int]:
    if event.event_type == "COMPONENT_STATUS_CHANGED":
        items = [event.public_payload.get("component") or {}]
    elif event.event_type.startswith("MAINTENANCE_"):
        if event.maintenance_id is not None:
            return list(conn.execute(select(MaintenanceComponent.component_id).where(
                MaintenanceComponent.maintenance_id == event.maintenance_id)).scalars())
        items = email_content.maintenance_of(event.public_payload).get("components") or []
    else:
        items = (event.public_payload.get("incident") or {}).get("components") or []
    return [c["id"] for c in items if isinstance(c, dict) and isinstance(c.get("id"), int)]


def _scopes(conn, event, rules: dict) -> list:
    scopes = []
    for scope in rules.get(event.event_type, ()):
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
    return scopes


def recipients_filter(conn, event, mode: str = "immediate"):
    """SQL condition on Subscriber: confirmed, reachable, and in a scope the event reaches.

    Email subscribers of ``mode`` (daily ones get digests instead); webhook
    subscribers that are not disabled.
    """
    email = _scopes(conn, event, RULES)
    hooks = _scopes(conn, event, WEBHOOK_RULES) if mode == "immediate" else []
    by_channel = or_(
        and_(S.channel == Channel.EMAIL, S.mode == mode, or_(*email) if email else false()),
        and_(S.channel == Channel.WEBHOOK, S.disabled_at.is_(None), or_(*hooks) if hooks else false()))
    return and_(S.confirmed_at.is_not(None), S.unsubscribed_at.is_(None),
                S.suppressed_at.is_(None), by_channel)


def _subjects(conn, event, matching, subject: str):
    """The subject in each recipient's locale, as an SQL expression: one render per locale
    (``subject`` is the English one; component changes reach webhooks only, in English)."""
    if event.event_type not in RULES:
        return literal(subject)
    locales = conn.execute(select(S.locale).where(matching).distinct()).scalars().all()
    subjects = {locale: email_content.subject_for(event.event_type, event.public_payload, locale)
                for locale in locales if locale and locale != "en"}
    if not subjects:
        return literal(subject)
    return case(subjects, value=S.locale, else_=literal(subject))


def _insert(conn, select_stmt, columns: list[str], conflict: list[str]) -> int:
    maker = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = maker(D).from_select(columns, select_stmt).on_conflict_do_nothing(index_elements=conflict)
    return len(conn.execute(stmt.returning(D.id)).all())


_COLUMNS = ["subscriber_id", "event_id", "kind", "channel", "to_address", "subject", "status",
            "attempts", "created_at", "updated_at"]


def subject_for(event) -> str:
    """The delivery's subject line (the email subject; a label on the other channels)."""
    if event.event_type == "COMPONENT_STATUS_CHANGED":
        component = event.public_payload.get("component") or {}
        return (f"[{settings.current()['page_name']}] {component.get('name', '')}: "
                f"{label(event.public_payload.get('to'))}")[:300]
    return email_content.subject_for(event.event_type, event.public_payload)


def _fan_out_subscribers(conn, event, subject: str, ready) -> int:
    window = current_app.config["DELIVERY_FANOUT_WINDOW"]
    matching = recipients_filter(conn, event)
    subjects = _subjects(conn, event, matching, subject)
    # One delivery per mailbox (or endpoint) even if it holds several matching subscriptions.
    first_per_recipient = (select(func.min(S.id)).where(matching)
                           .group_by(S.channel, func.coalesce(S.endpoint, S.email_key)))
    stamp = literal(utcnow(), D.__table__.c.created_at.type)
    created, after = 0, 0
    while True:
        upper = conn.execute(select(S.id).where(S.id > after).order_by(S.id)
                             .offset(window - 1).limit(1)).scalar()
        bounds = [S.id > after] + ([S.id <= upper] if upper is not None else [])
        rows = select(S.id, literal(event.id), literal("notification"), S.channel, S.email,
                      subjects, literal(DeliveryState.PENDING.value), literal(0), stamp, stamp
                      ).where(*bounds, S.id.in_(first_per_recipient))
        created += _insert(conn, rows, _COLUMNS, ["subscriber_id", "event_id"])
        conn.commit()
        ids = conn.execute(select(D.id).join(S, S.id == D.subscriber_id).where(
            D.event_id == event.id, D.status == DeliveryState.PENDING, *bounds)).scalars().all()
        if ready is not None:
            ready(ids)
        if upper is None:
            return created
        after = upper


def _fan_out_integrations(conn, event, subject: str, ready, internal: bool = False) -> int:
    component_ids = set(_component_ids(conn, event))
    chosen = [row for row in conn.execute(select(Integration.id, Integration.kind, Integration.name,
                                                 Integration.config).where(
        Integration.kind.in_(CHAT_CHANNELS), Integration.enabled)).all()
        if (not internal or (row.config or {}).get("include_internal"))
        and (not (row.config or {}).get("components") or component_ids & set(row.config["components"]))]
    if not chosen:
        return 0
    now = utcnow()
    values = [{"integration_id": row.id, "event_id": event.id, "kind": "notification",
               "channel": row.kind, "to_address": row.name[:254], "subject": subject,
               "status": DeliveryState.PENDING.value, "attempts": 0, "created_at": now,
               "updated_at": now} for row in chosen]
    maker = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    created = len(conn.execute(maker(D).values(values).on_conflict_do_nothing(
        index_elements=["integration_id", "event_id"]).returning(D.id)).all())
    conn.commit()
    if ready is not None:
        ready(conn.execute(select(D.id).where(D.event_id == event.id, D.integration_id.is_not(None),
                                              D.status == DeliveryState.PENDING)).scalars().all())
    return created


def _fan_out_internal(conn, event, ready) -> int:
    """An internal event reaches only chat integrations that asked for internal news."""
    seen_as = SimpleNamespace(**{**event._asdict(), "public_payload": event.payload})
    if event.rendered is None:
        outbox.keep_rendered(conn, event.id, render.render(conn, seen_as, set(CHAT_CHANNELS),
                                                           internal=True))
        conn.commit()
    return _fan_out_integrations(conn, seen_as, "[internal] " + subject_for(seen_as), ready, internal=True)


def fanout(event_id: int, ready: Optional[Callable[[list[int]], None]] = None) -> int:
    """Create this event's deliveries window by window; return how many were created.

    ``ready(ids)`` receives each window's PENDING deliveries once they are committed.
    """
    created = 0
    with db.engine.connect() as conn:
        event = outbox.fanout_target(conn, event_id)
        if event is None:
            return 0
        if event.event_type in RULES and event.public_payload is None and event.payload:
            created += _fan_out_internal(conn, event, ready)
        elif event.event_type in WEBHOOK_RULES and event.public_payload is not None:
            channels = {"webhook"} | ({"email", *CHAT_CHANNELS} if event.event_type in RULES else set())
            if event.rendered is None:
                outbox.keep_rendered(conn, event.id, render.render(conn, event, channels - {"email"}))
                conn.commit()
            subject = subject_for(event)
            created += _fan_out_subscribers(conn, event, subject, ready)
            if event.event_type in RULES:
                created += _fan_out_integrations(conn, event, subject, ready)
        outbox.mark_fanned_out(conn, event.id)
        conn.commit()
    log.info("fan-out of event %s (%s): %d deliveries", event.id, event.event_type, created)
    return created
