"""Webhook subscribers: subscribing (double opt-in, or active at once for an operator),
and what the sender does when a receiver answers 410 or keeps failing.

A webhook subscriber is a Subscriber row with ``channel='webhook'``: its owner's
address in ``email`` (confirmation, disable notice), the receiver in
``endpoint`` and the signing secret encrypted. The endpoint is checked against
the SSRF guard here, and again by the sender on every request.
"""
from __future__ import annotations

from typing import Optional

from flask import current_app
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from ...domain.locales import N_, canonical
from ...errors import Conflict
from ...extensions import db
from ...models import AuditEvent, Delivery, Subscriber, SubscriberComponent, utcnow
from .. import audit, integrations, secretbox, settings, subscribers
from ..context import Actor
from ..email import content, deliveries
from . import signing

S = Subscriber


def _existing(endpoint: str, scope: str, incident_id: Optional[int]) -> Optional[Subscriber]:
    stmt = select(S).where(S.channel == "webhook", S.endpoint == endpoint)
    if scope == "incident":
        stmt = stmt.where(S.scope == "incident", S.incident_id == incident_id)
    else:
        stmt = stmt.where(S.scope.in_(subscribers.PAGE_SCOPES))
    return db.session.scalar(stmt)


def _row(endpoint: str, owner: str, scope: str, incident_id: Optional[int], ids: list[int]) -> Subscriber:
    row = _existing(endpoint, scope, incident_id)
    if row is None:
        row = S(channel="webhook", endpoint=endpoint, email=owner, scope=scope, incident_id=incident_id)
        try:
            with db.session.begin_nested():  # a concurrent twin request may insert it first
                db.session.add(row)
        except IntegrityError:
            row = _existing(endpoint, scope, incident_id)
    return row


def _reset(row: Subscriber, owner: str, scope: str, incident_id: Optional[int], ids: list[int],
           locale: str) -> None:
    row.email, row.scope, row.incident_id, row.locale = owner, scope, incident_id, locale
    row.components = [SubscriberComponent(component_id=i) for i in ids]
    row.confirmed_at = row.unsubscribed_at = row.suppressed_at = row.disabled_at = None
    row.secret_encrypted, row.consecutive_failures, row.requested_change = None, 0, None


def subscribe(endpoint: str, owner: str, *, incident_id: Optional[int] = None,
              component_ids: Optional[list[int]] = None, actor: Optional[Actor] = None,
              ip: Optional[str] = None, locale: Optional[str] = None) -> Optional[Subscriber]:
    """Subscribe a webhook endpoint; ``locale`` is the language of the owner's emails.

    Anonymous (``actor`` None): the owner confirms by email; returns None, and the
    caller answers the same whatever existed. An operator: active at once; returns
    the subscriber with ``plain_secret`` set (shown once).
    """
    locale = canonical(locale) or "en"
    integrations.check_url(endpoint, "endpoint")
    owner = subscribers.normalise_email(owner)
    scope, ids = subscribers.target(incident_id, component_ids)
    if actor is None:
        subscribers.check_limits(owner, ip)
    row = _row(endpoint, owner, scope, incident_id, ids)
    live = subscribers.status_of(row) == "confirmed" and row.disabled_at is None
    if actor is None:
        if not live:
            _reset(row, owner, scope, incident_id, ids, locale)
            db.session.flush()
            audit.record(subscribers.actor_of(row), "subscriber.requested", "subscriber", row.id,
                         after=subscribers.snapshot(row))
            subject = content.in_locale(locale, N_("Confirm the webhook subscription to %(page)s status"),
                                        page=settings.current()["page_name"])
            deliveries.create("confirmation", owner, subject, subscriber_id=row.id)
        return None
    if live:
        raise Conflict("This endpoint is already subscribed; delete it first to get a new secret.")
    _reset(row, owner, scope, incident_id, ids, locale)
    row.confirmed_at = utcnow()
    row.plain_secret = signing.new_secret()
    row.secret_encrypted = secretbox.encrypt(row.plain_secret)
    db.session.flush()
    audit.record(actor, "subscriber.created", "subscriber", row.id, after=subscribers.snapshot(row))
    return row


# -- the sender's side (Core connections, the caller commits) --

def _system_audit(conn, action: str, subscriber_id: int, after: dict) -> None:
    conn.execute(insert(AuditEvent).values(
        created_at=utcnow(), actor_type="system", actor_id=None, actor_label="webhooks",
        action=action, target_type="subscriber", target_id=str(subscriber_id), after=after))


def note_success(conn, subscriber_id: int) -> None:
    """A 2xx answer ends a run of failures."""
    conn.execute(update(S).where(S.id == subscriber_id, S.consecutive_failures > 0)
                 .values(consecutive_failures=0))


def note_failure(conn, row) -> list[int]:
    """A delivery ended FAILED: count it; at the limit disable the subscriber and queue
    one email to its owner. Returns the ids of deliveries to send (that email)."""
    failures = conn.execute(update(S).where(S.id == row.subscriber_id).values(
        consecutive_failures=S.consecutive_failures + 1).returning(S.consecutive_failures)).scalar()
    if failures is None or failures < current_app.config["WEBHOOK_MAX_FAILURES"]:
        return []
    now = utcnow()
    # Only the update that disables it sends the email: one email, however many lanes race.
    disabled = conn.execute(update(S).where(S.id == row.subscriber_id, S.disabled_at.is_(None))
                            .values(disabled_at=now, updated_at=now).returning(S.locale)).first()
    if disabled is None:
        return []
    _system_audit(conn, "subscriber.disabled", row.subscriber_id, {"consecutive_failures": failures})
    subject = content.in_locale(disabled.locale, N_("Your webhook to %(page)s status was disabled"),
                                page=settings.current()["page_name"])
    new_id = conn.execute(insert(Delivery).values(
        kind="webhook_disabled", channel="email", to_address=row.email, subject=subject,
        subscriber_id=row.subscriber_id, status="PENDING", attempts=0, created_at=now,
        updated_at=now).returning(Delivery.id)).scalar()
    return [new_id]


def unsubscribe_gone(conn, row) -> None:
    """The receiver answered 410 Gone: the subscription ends."""
    now = utcnow()
    done = conn.execute(update(S).where(S.id == row.subscriber_id, S.unsubscribed_at.is_(None))
                        .values(unsubscribed_at=now, updated_at=now).returning(S.id)).scalar()
    if done is not None:
        _system_audit(conn, "subscriber.unsubscribed", row.subscriber_id, {"via": "410 Gone"})
