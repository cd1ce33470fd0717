"""Demo subscribers and the email deliveries made to them, with their audit trail.

Subscription flows belong to their own service; the demo writes the rows the
same way (audit + admin outbox event in the step's transaction).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from ..extensions import db
from ..models import EmailDelivery, OutboxEvent, Subscriber, SubscriberComponent, utcnow
from ..services import audit, outbox
from ..services.context import Actor
from . import catalog
from .catalog import D, M

if TYPE_CHECKING:
    from .loader import Story


def _as(subscriber: Subscriber) -> Actor:
    return Actor(type="subscriber", id=subscriber.id, label=f"subscriber #{subscriber.id}")


def _record(subscriber: Subscriber, action: str, after: dict) -> None:
    audit.record(_as(subscriber), f"subscriber.{action}", "subscriber", subscriber.id, after=after)
    outbox.record("SUBSCRIBER_UPDATED", {"action": action, "subscriber_id": subscriber.id,
                                         "scope": subscriber.scope})


def _subscribe(story: "Story", n: int, email: str, scope: str, detail, state: str) -> None:
    created = story.now - (60 - 10 * n) * D if scope != "incident" else story.now - 20 * M

    def create():
        sub = Subscriber(email=email, scope=scope)
        if scope == "incident":
            sub.incident_id = story.ids[detail]
        if scope == "components":
            sub.components = [SubscriberComponent(component_id=story.ids[c]) for c in detail]
        db.session.add(sub)
        db.session.flush()
        story.ids["subscriber:" + email] = sub.id
        _record(sub, "created", {"scope": scope, "incident_id": sub.incident_id,
                                 "component_ids": sorted(c.component_id for c in sub.components)})

    def change(action: str, field: str):
        def run():
            sub = db.session.get(Subscriber, story.ids["subscriber:" + email])
            setattr(sub, field, utcnow())
            _record(sub, action, {field: utcnow()})
        return run

    story.at(created, create)
    if state in ("confirmed", "unsubscribed"):
        story.at(created + 5 * M, change("confirmed", "confirmed_at"))
    if state == "unsubscribed":
        story.at(created + 12 * D, change("unsubscribed", "unsubscribed_at"))


def _deliver(story: "Story", email: str, title: str, event_type: str, status: str) -> None:
    # Only finished deliveries: a PENDING or SENDING row would be sent by the worker
    # (or its lease sweep), and seeded data must never email anyone.
    def run():
        event = db.session.scalar(select(OutboxEvent).where(
            OutboxEvent.incident_id == story.ids[title], OutboxEvent.event_type == event_type))
        now = utcnow()
        sent = status == "SENT"
        row = EmailDelivery(
            subscriber_id=story.ids["subscriber:" + email], event_id=event.id, to_address=email,
            subject=f"[Acme Cloud] {title}", status=status, attempts=1 if sent else 5,
            sent_at=now if sent else None,
            message_id=f"<demo-{event.id}-{email}>" if sent else None,
            last_error=None if sent else "421 4.7.0 Try again later (after 5 attempts)")
        db.session.add(row)
        audit.record(Actor(type="system", id=None, label="system", role="admin"),
                     f"delivery.{status.lower()}", "email_delivery", None,
                     after={"to": email, "event_id": event.id, "status": status})
    return run


def add_subscribers(story: "Story") -> None:
    for n, (email, scope, detail, state) in enumerate(catalog.SUBSCRIBERS):
        _subscribe(story, n, email, scope, detail, state)
    outage, live = "Full API outage", "Elevated API error rate"
    published = story.now - 12 * D + 90 * M + 2 * D
    story.at(published + M, _deliver(story, "alice@example.com", outage, "POSTMORTEM_PUBLISHED", "SENT"))
    story.at(published + M, _deliver(story, "bob@example.com", outage, "POSTMORTEM_PUBLISHED", "FAILED"))
    story.at(story.now - 24 * M, _deliver(story, "alice@example.com", live, "INCIDENT_CREATED", "SENT"))
    story.at(story.now - 24 * M, _deliver(story, "bob@example.com", live, "INCIDENT_CREATED", "SENT"))
    story.at(story.now - 5 * M, _deliver(story, "carol@example.com", live, "INCIDENT_UPDATE_POSTED",
                                         "SENT"))

