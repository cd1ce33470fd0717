"""Snapshots of each email's text part (set UPDATE_SNAPSHOTS=1 to rewrite them)."""
from __future__ import annotations

import email
import email.policy
import os
import re
from pathlib import Path

import pytest

from tests.helpers_subs import deliveries, make_subscriber
from statuspage.extensions import db
from statuspage.models import OutboxEvent
from statuspage.services.email import deliveries as delivery_service
from statuspage.services import outbox, subscribers
from statuspage.services.email import content as email_content
from statuspage.services.email import fanout as notifications

SNAPSHOTS = Path(__file__).parent / "snapshots"
TOKEN_RE = re.compile(r"/subscriptions/(confirm|manage|unsubscribe)/[\w.-]+")

INCIDENT = {"id": 7, "title": "Checkout errors", "severity": "SEV2", "impact": "major",
            "status": "identified", "components": [{"id": 1, "name": "Payments"}],
            "updated_at": "2024-05-01T12:30:00+00:00"}
UPDATE = {"id": 3, "status": "identified", "body": "We found a **bad deploy** and are rolling back.",
          "created_at": "2024-05-01T12:30:00+00:00"}
MAINTENANCE = {"id": 2, "title": "Database upgrade", "description": "Failover to the new primary.",
               "starts_at": "2024-05-04T02:00:00+00:00", "ends_at": "2024-05-04T03:00:00+00:00",
               "components": [{"id": 1, "name": "Payments"}]}
CASES = {
    "incident_created": ("INCIDENT_CREATED", {"incident": {**INCIDENT, "status": "investigating"},
                                              "update": {**UPDATE, "body": "Card payments fail."}}),
    "incident_status_changed": ("INCIDENT_STATUS_CHANGED", {"incident": INCIDENT, "update": UPDATE,
                                                            "previous_status": "investigating"}),
    "incident_update_posted": ("INCIDENT_UPDATE_POSTED", {"incident": INCIDENT, "update": UPDATE}),
    "postmortem_published": ("POSTMORTEM_PUBLISHED", {
        "incident": {**INCIDENT, "status": "resolved"},
        "postmortem": {"summary": "A config change broke card payments for 40 minutes."}}),
    "maintenance_scheduled": ("MAINTENANCE_SCHEDULED", {"maintenance": MAINTENANCE}),
    "maintenance_started": ("MAINTENANCE_STARTED", {"maintenance": MAINTENANCE}),
    "maintenance_completed": ("MAINTENANCE_COMPLETED", {"maintenance": MAINTENANCE}),
}


def _built_message(kind_filter: dict):
    [row] = deliveries(**kind_filter)
    with db.engine.connect() as conn:
        [claimed] = delivery_service.claim(conn, [row.id])
        built = email_content.Builder(conn).build(claimed)
    return email.message_from_bytes(built.as_bytes(), policy=email.policy.default)


def _check(name: str, message) -> None:
    text = TOKEN_RE.sub(r"/subscriptions/\1/<token>",
                        message.get_body(("plain",)).get_content().replace("\r\n", "\n"))
    snapshot = f"Subject: {message['Subject']}\n\n{text}"
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.write_text(snapshot)
    assert snapshot == path.read_text()


@pytest.mark.parametrize("name", sorted(CASES))
def test_notification_text(name):
    event_type, public = CASES[name]
    make_subscriber("reader@example.com")
    outbox.record(event_type, public, public, notify=True)
    db.session.commit()
    notifications.fanout(db.session.scalar(db.select(OutboxEvent.id)))
    message = _built_message({"kind": "notification"})
    _check(name, message)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_body(("html",)) is not None


def test_confirmation_text():
    subscribers.subscribe("new@example.com")
    db.session.commit()
    _check("confirmation", _built_message({"kind": "confirmation"}))


def test_test_email_text():
    from statuspage.services.context import SYSTEM

    subscribers.send_test_email(SYSTEM, "ops@example.com")
    db.session.commit()
    _check("test_email", _built_message({"kind": "test"}))


def test_text_part_reads_markdown_as_plain_words():
    make_subscriber("reader@example.com")
    public = {"incident": INCIDENT, "update": {**UPDATE, "body": "Returned **HTTP 503**; see [the runbook](https://r.example/x)."}}
    outbox.record("INCIDENT_UPDATE_POSTED", public, public, notify=True)
    db.session.commit()
    notifications.fanout(db.session.scalar(db.select(OutboxEvent.id)))
    message = _built_message({"kind": "notification"})
    text = message.get_body(("plain",)).get_content()
    assert "Returned HTTP 503; see the runbook (https://r.example/x)." in text
    assert "**" not in text
    assert "<strong>HTTP 503</strong>" in message.get_body(("html",)).get_content()


def test_notification_html_keeps_only_what_the_public_page_keeps():
    body = ("# Big news\n\n![pixel](https://tracker.example/p.png)\n\n"
            '<img src="https://tracker.example/raw.png"> and **bold** [link](https://example.com)')
    make_subscriber("reader@example.com")
    payload = {"incident": INCIDENT, "update": {**UPDATE, "body": body}}
    outbox.record("INCIDENT_UPDATE_POSTED", payload, payload, notify=True)
    db.session.commit()
    notifications.fanout(db.session.scalar(db.select(OutboxEvent.id)))
    html = _built_message({"kind": "notification"}).get_body(("html",)).get_content()
    assert not re.search(r"<img\b|<[^>]+\ssrc=", html)  # no remote images: the text only
    assert "tracker.example/p.png" not in html
    assert html.count("<h1") == 1  # the email's own heading; the body's starts at h3
    assert "<h3>Big news</h3>" in html and "<strong>bold</strong>" in html
    assert 'href="https://example.com"' in html
