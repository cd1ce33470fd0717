"""Daily digests: one email a day, at 09:00 in the page's time zone, for subscribers in
``daily`` mode, listing every notifying event since their last digest.

Each subscriber keeps a cursor (the last outbox event id a digest covered), so
nothing is lost and nothing repeats: a run creates the due digests and moves
the cursors in one transaction. Events younger than a grace period wait for
the next run, so a transaction that took an id earlier but committed later is
never skipped. No events since the last digest: no email, the day is marked
done. The caller passes ``now`` (the worker: the clock; tests: any moment).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, insert, select, update

from ...domain.deliveries import last_digest_moment
from ...extensions import db
from ...models import Delivery, OutboxEvent, Subscriber
from .. import settings
from . import content, fanout

S = Subscriber


def _due(conn, now: datetime) -> list:
    moment = last_digest_moment(now, settings.current()["time_zone"])
    return conn.execute(select(S.id, S.email, S.locale, S.digest_event_id, S.confirmed_at).where(
        S.channel == "email", S.mode == "daily", S.confirmed_at.is_not(None),
        S.unsubscribed_at.is_(None), S.suppressed_at.is_(None),
        # A new daily subscriber waits for the first 09:00 after confirming.
        func.coalesce(S.last_digest_at, S.confirmed_at) < moment)).all()


def _events(conn, after_id: int, upper_id: int) -> list:
    return conn.execute(select(OutboxEvent.id, OutboxEvent.event_type, OutboxEvent.public_payload,
                               OutboxEvent.incident_id, OutboxEvent.maintenance_id,
                               OutboxEvent.created_at).where(
        OutboxEvent.id > after_id, OutboxEvent.id <= upper_id,
        OutboxEvent.event_type.in_(tuple(fanout.RULES)), OutboxEvent.fanout_status != "none",
        OutboxEvent.public_payload.is_not(None)).order_by(OutboxEvent.id)).all()


def run(now: datetime) -> list[int]:
    """Create the digests due at ``now``; returns the new deliveries' ids (to send)."""
    grace = timedelta(seconds=current_app.config["FANOUT_GRACE_SECONDS"])
    created: list[int] = []
    with db.engine.connect() as conn:
        due = _due(conn, now)
        if not due:
            return []
        upper = conn.execute(select(func.max(OutboxEvent.id)).where(
            OutboxEvent.created_at <= now - grace)).scalar() or 0
        lowest = min((sub.digest_event_id or 0) for sub in due)
        due_ids = [sub.id for sub in due]
        reached = defaultdict(list)
        for event in _events(conn, lowest, upper):
            matching = fanout.recipients_filter(conn, event, mode="daily")
            for sub_id in conn.execute(select(S.id).where(matching, S.id.in_(due_ids))).scalars():
                reached[sub_id].append(event)
        page = settings.current()["page_name"]
        for sub in due:
            events = [e.id for e in reached[sub.id] if e.id > (sub.digest_event_id or 0)
                      and (sub.digest_event_id is not None or e.created_at >= sub.confirmed_at)]
            if events:
                subject = content.digest_subject(page, len(events), sub.locale)
                created.append(conn.execute(insert(Delivery).values(
                    subscriber_id=sub.id, event_id=events[-1], kind="digest", channel="email",
                    to_address=sub.email, subject=subject, digest_events=events, status="PENDING",
                    attempts=0, created_at=now, updated_at=now).returning(Delivery.id)).scalar())
            conn.execute(update(S).where(S.id == sub.id).values(
                digest_event_id=max(upper, sub.digest_event_id or 0), last_digest_at=now))
        conn.commit()
    return created


def start_cursor() -> int:
    """Where a subscriber switching to daily starts: after every event so far."""
    return db.session.scalar(select(func.max(OutboxEvent.id))) or 0


