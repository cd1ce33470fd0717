"""Delivery rows of every channel and their state machine (:class:`DeliveryState`):
PENDING -> SENDING -> SENT | FAILED.

Claiming is a conditional UPDATE (only PENDING rows that are due) that sets a
lease and bumps ``attempts``; every later transition is conditioned on
``status='SENDING' AND attempts=<claimed>``, so a row recovered by the sweep and
claimed again can never be marked by the worker that lost it, and a SENT row is
never touched again.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Optional

from flask import current_app
from sqlalchemy import Connection, and_, bindparam, func, insert, or_, select, update

from ...errors import Conflict, NotFound
from ...extensions import db, redis_client
from ...models import AuditEvent, EmailDelivery, Subscriber, utcnow
from ...domain.deliveries import DeliveryState
from ...domain.statuses import DELIVERY_STATUSES
from ...domain.subscribers import mailbox_key
from ... import heartbeat
from .. import audit, outbox
from ..context import Actor
from ..pagination import Page, paginate
from . import sent_markers

D = EmailDelivery
CHANNEL = "email"  # the after-commit channel that sends these deliveries
PENDING, SENDING, SENT, FAILED = (DeliveryState.PENDING, DeliveryState.SENDING, DeliveryState.SENT,
                                  DeliveryState.FAILED)


def create(kind: str, to_address: str, subject: str, subscriber_id: Optional[int] = None,
           channel: str = "email", integration_id: Optional[int] = None) -> EmailDelivery:
    """A single delivery (confirmation, test) in the current transaction, sent after commit."""
    now = utcnow()
    row = D(kind=kind, to_address=to_address, subject=subject, subscriber_id=subscriber_id,
            channel=channel, integration_id=integration_id,
            status=PENDING, attempts=0, created_at=now, updated_at=now)
    db.session.add(row)
    db.session.flush()
    outbox.send_after_commit(CHANNEL, [row.id])
    return row


# -- the worker's side (Core connections: thousands of rows, no identity map) --

def claim(conn: Connection, ids: list[int]) -> list:
    """PENDING -> SENDING for the due rows among ``ids``; returns them with their recipient."""
    now = utcnow()
    lease = now + timedelta(seconds=current_app.config["DELIVERY_LEASE_SECONDS"])
    claimed = conn.execute(
        update(D)
        .where(D.id.in_(ids), D.status == PENDING,
               or_(D.next_attempt_at.is_(None), D.next_attempt_at <= now))
        .values(status=SENDING, lease_until=lease, attempts=D.attempts + 1, updated_at=now)
        .returning(D.id)
    ).scalars().all()
    conn.commit()
    if not claimed:
        return []
    return conn.execute(
        select(D.id, D.kind, D.to_address, D.subject, D.attempts, D.event_id, D.subscriber_id,
               D.created_at, D.channel, D.integration_id, D.digest_events, Subscriber.confirmed_at,
               Subscriber.unsubscribed_at, Subscriber.suppressed_at, Subscriber.scope,
               Subscriber.endpoint, Subscriber.secret_encrypted, Subscriber.disabled_at,
               Subscriber.email, Subscriber.locale)
        .outerjoin(Subscriber, Subscriber.id == D.subscriber_id)
        .where(D.id.in_(claimed)).order_by(D.id)
    ).all()


def _mine(row):
    return and_(D.id == row.id, D.status == SENDING, D.attempts == row.attempts)


def mark_sent(conn: Connection, sent: list[tuple]) -> None:
    """Mark ``(row, message_id)`` pairs SENT in one executemany (fenced per row)."""
    if not sent:
        return
    now = utcnow()
    stmt = update(D).where(D.id == bindparam("d_id"), D.status == SENDING,
                           D.attempts == bindparam("d_attempts")).values(
        status=SENT, sent_at=now, updated_at=now, lease_until=None, last_error=None,
        next_attempt_at=None, message_id=bindparam("d_message_id"))
    conn.execute(stmt, [{"d_id": row.id, "d_attempts": row.attempts, "d_message_id": mid}
                        for row, mid in sent])


def settle_accepted(conn: Connection, rows: list) -> set[int]:
    """Mark SENT, without sending, the claimed ``rows`` a server already accepted
    (a worker died before their SENT mark was committed); returns their ids."""
    accepted = sent_markers.recall(row.id for row in rows)
    if accepted:
        mark_sent(conn, [(row, accepted[row.id]) for row in rows if row.id in accepted])
        conn.commit()
        sent_markers.forget(accepted)
    return set(accepted)


def _answer(response: Optional[tuple[int, str]]) -> dict:
    if response is None:
        return {}
    return {"response_code": response[0], "response_excerpt": response[1][:200]}


def mark_delivered(conn: Connection, row, message_id: str, response: tuple[int, str]) -> None:
    """SENDING -> SENT for one row, with the receiver's answer (HTTP channels)."""
    now = utcnow()
    conn.execute(update(D).where(_mine(row)).values(
        status=SENT, sent_at=now, updated_at=now, lease_until=None, last_error=None,
        next_attempt_at=None, message_id=message_id, **_answer(response)))


def fail_transient(conn: Connection, row, error: str,
                   response: Optional[tuple[int, str]] = None) -> bool:
    """Back to PENDING with exponential backoff, or FAILED after the last attempt
    (then True)."""
    backoff = current_app.config["DELIVERY_BACKOFF_SECONDS"]
    now = utcnow()
    values = {"lease_until": None, "last_error": error[:2000], "updated_at": now, **_answer(response)}
    final = row.attempts > len(backoff)
    if final:
        values.update(status=FAILED, next_attempt_at=None)
    else:
        values.update(status=PENDING,
                      next_attempt_at=now + timedelta(seconds=backoff[row.attempts - 1]))
    conn.execute(update(D).where(_mine(row)).values(**values))
    return final


def fail_permanent(conn: Connection, row, error: str, suppress: bool = False,
                   response: Optional[tuple[int, str]] = None) -> None:
    """FAILED at once; ``suppress`` stops all further mail to the address."""
    now = utcnow()
    conn.execute(update(D).where(_mine(row)).values(
        status=FAILED, last_error=error[:2000], lease_until=None, next_attempt_at=None,
        updated_at=now, **_answer(response)))
    if suppress:
        ids = conn.execute(
            update(Subscriber).where(Subscriber.email_key == mailbox_key(row.to_address),
                                     Subscriber.suppressed_at.is_(None))
            .values(suppressed_at=now, updated_at=now).returning(Subscriber.id)).scalars().all()
        for subscriber_id in ids:
            conn.execute(insert(AuditEvent).values(
                created_at=now, actor_type="system", actor_id=None, actor_label="mailer",
                action="subscriber.suppressed", target_type="subscriber",
                target_id=str(subscriber_id), after={"reason": error[:500]}))


def release(conn: Connection, rows: list) -> None:
    """Give claimed rows back untried (the attempt does not count)."""
    for row in rows:
        conn.execute(update(D).where(_mine(row)).values(
            status=PENDING, attempts=D.attempts - 1, lease_until=None, updated_at=utcnow()))


# -- sweeps run by the worker --

def recover_expired_leases() -> list[int]:
    """SENDING rows whose worker died: back to PENDING (or FAILED after the last attempt)."""
    now = utcnow()
    max_attempts = len(current_app.config["DELIVERY_BACKOFF_SECONDS"]) + 1
    expired = and_(D.status == SENDING, D.lease_until < now)
    with db.engine.connect() as conn:
        settle_accepted(conn, conn.execute(select(D.id, D.attempts).where(expired)).all())
        conn.execute(update(D).where(expired, D.attempts >= max_attempts).values(
            status=FAILED, lease_until=None, updated_at=now,
            last_error="The worker stopped while sending (lease expired) after the last attempt."))
        ids = conn.execute(update(D).where(expired).values(
            status=PENDING, lease_until=None, next_attempt_at=None, updated_at=now,
        ).returning(D.id)).scalars().all()
        conn.commit()
    return sorted(ids)


def requeue_due(limit: int = 10_000) -> list[int]:
    """PENDING rows that are due but apparently not queued (retry time reached, or
    nothing picked them up within the grace period, e.g. Redis was down)."""
    now = utcnow()
    grace = now - timedelta(seconds=current_app.config["DELIVERY_REQUEUE_GRACE_SECONDS"])
    due = and_(D.status == PENDING, or_(
        D.next_attempt_at <= now, and_(D.next_attempt_at.is_(None), D.updated_at <= grace)))
    with db.engine.connect() as conn:
        picked = select(D.id).where(due).order_by(D.id).limit(limit).scalar_subquery()
        ids = conn.execute(update(D).where(D.id.in_(picked), due).values(
            next_attempt_at=None, updated_at=now).returning(D.id)).scalars().all()
        conn.commit()
    return sorted(ids)


# -- operators --

def get(delivery_id: int) -> EmailDelivery:
    """One delivery (404 when there is none)."""
    row = db.session.get(D, delivery_id)
    if row is None:
        raise NotFound(f"Delivery {delivery_id} does not exist.")
    return row


def _filtered(filters: dict):
    stmt = select(D)
    if filters.get("incident") is not None:
        stmt = stmt.where(D.event_id.in_(outbox.ids_for_incident(filters["incident"])))
    for name in ("kind", "subscriber_id", "event_id", "channel", "integration_id"):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(D, name) == filters[name])
    return stmt


def list_deliveries(filters: dict, page: int, per_page: int) -> Page:
    """Deliveries under the filters, newest first."""
    stmt = _filtered(filters)
    if filters.get("status"):
        stmt = stmt.where(D.status == filters["status"])
    return paginate(stmt.order_by(D.id.desc()), page, per_page)


def counts(filters: dict) -> dict[str, int]:
    """Deliveries per status under the same filters (the status filter aside)."""
    sub = _filtered(filters).with_only_columns(D.status).subquery()
    found = dict(db.session.execute(select(sub.c.status, func.count()).group_by(sub.c.status)).all())
    return {status: found.get(status, 0) for status in DELIVERY_STATUSES}


def worker_status(status_counts: dict[str, int]) -> dict:
    """Whether a worker is running, and a warning when mail waits without one."""
    return heartbeat.worker_status(redis_client.client, status_counts[PENDING] + status_counts[SENDING])


def retry(actor: Actor, delivery_id: int) -> EmailDelivery:
    """FAILED -> PENDING for another full round of attempts (lifts a suppression)."""
    row = get(delivery_id)
    if row.status != FAILED:
        raise Conflict(f"Only FAILED deliveries can be retried; this one is {row.status}.")
    before = {"status": row.status, "attempts": row.attempts, "last_error": row.last_error}
    now = utcnow()
    row.status, row.attempts, row.next_attempt_at, row.lease_until = PENDING.value, 0, None, None
    row.updated_at = now
    if row.subscriber is not None and row.subscriber.suppressed_at is not None:
        db.session.execute(update(Subscriber).where(Subscriber.email_key == mailbox_key(row.to_address))
                           .values(suppressed_at=None, updated_at=now))
    db.session.flush()
    audit.record(actor, "delivery.retried", "email_delivery", row.id, before=before,
                 after={"status": "PENDING"})
    outbox.record("DELIVERY_RETRIED", {"delivery": {"id": row.id, "status": row.status}})
    outbox.send_after_commit(CHANNEL, [row.id])
    return row
