"""End to end: subscribe, confirm, notify, unsubscribe, over a real SMTP server and worker."""
from __future__ import annotations

import time

from tests.conftest import make_component, make_incident
from statuspage.extensions import db
from statuspage.services import subscribers, tokens
from tests.helpers_subs import (confirm, csrf_from, deliveries, html_part, link, subscribe,
                                subscriber, text_part)


def test_double_opt_in_then_notification_then_one_click_unsubscribe(app, client, api, smtp, run_worker):
    sink = smtp.start()
    subscribe(client, "Reader@Example.COM")
    run_worker()
    [confirmation] = sink.to("Reader@example.com")
    assert "Confirm" in confirmation["Subject"]
    assert subscriber("Reader@example.com").confirmed_at is None

    # Opening the link (what a mail scanner does) confirms no one.
    client.get(link(confirmation, "confirm"))
    assert subscriber("Reader@example.com").confirmed_at is None
    confirm(client, confirmation)
    assert subscriber("Reader@example.com").confirmed_at is not None

    incident = make_incident(api, title="Checkout errors", severity="SEV2",
                             summary="Payments **fail** for some cards.")
    run_worker()
    [note] = sink.to("Reader@example.com")[1:]
    assert note["Subject"] == "[Acme Cloud] Major impact, investigating: Checkout errors"
    unsubscribe_path = link(note, "unsubscribe")
    assert note["List-Unsubscribe"] == f"<http://status.test{unsubscribe_path}>"
    assert note["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [row] = deliveries(kind="notification")
    assert row.status == "SENT" and row.sent_at is not None
    assert note["Message-ID"] == row.message_id
    assert f"http://status.test/status/incidents/{incident['id']}" in text_part(note)
    assert "Payments fail for some cards." in text_part(note)  # Markdown read as plain words
    assert "<strong>fail</strong>" in html_part(note)
    assert "Unsubscribe" in html_part(note) and unsubscribe_path in html_part(note)

    # RFC 8058 one-click: no cookie, no CSRF token, 200 and no redirect; repeating is harmless.
    fresh = app.test_client()
    for _ in range(2):
        response = fresh.post(unsubscribe_path, data="List-Unsubscribe=One-Click",
                              content_type="application/x-www-form-urlencoded")
        assert response.status_code == 200
    assert subscriber("Reader@example.com").unsubscribed_at is not None

    api.post(f"/api/incidents/{incident['id']}/updates", json={"body": "Fix deployed"})
    run_worker()
    assert len(sink.to("Reader@example.com")) == 2  # nothing after leaving


def test_resubscribe_after_leaving_needs_a_new_confirmation(app, client, smtp, run_worker):
    sink = smtp.start()
    subscribe(client, "back@example.com")
    run_worker()
    confirm(client, sink.messages[0])
    time.sleep(1.1)  # token timestamps have one-second resolution
    subscribers.unsubscribe("manage", _manage_token(subscriber("back@example.com")))
    db.session.commit()
    assert subscriber("back@example.com").unsubscribed_at is not None

    csrf = csrf_from(client.get("/subscriptions/").get_data(as_text=True))
    old_link = link(sink.messages[0], "confirm")
    assert client.post(old_link, data={"csrf_token": csrf}).status_code == 400
    subscribe(client, "back@example.com")
    run_worker()
    confirm(client, sink.messages[-1])
    again = subscriber("back@example.com")
    assert again.unsubscribed_at is None and again.confirmed_at is not None


def _manage_token(sub):
    return tokens.make("manage", sub.id, sub.email)


def test_component_scope_via_api(client, api, smtp, run_worker):
    sink = smtp.start()
    db_component = make_component(api, name="Database")
    web = make_component(api, name="Web")
    subscribe(client, "dba@example.com", component_ids=[db_component["id"]])
    run_worker()
    confirm(client, sink.messages[0])
    make_incident(api, title="Web slow", components=[{"id": web["id"], "status": "degraded_performance"}])
    make_incident(api, title="DB down", components=[{"id": db_component["id"], "status": "major_outage"}])
    run_worker()
    subjects = [m["Subject"] for m in sink.to("dba@example.com")[1:]]
    assert subjects == ["[Acme Cloud] Major impact, investigating: DB down"]


def test_postmortem_and_maintenance_emails_name_what_they_are_about(app, api, smtp, run_worker):
    """The payloads written by the postmortem and maintenance services carry what emails show."""
    from datetime import datetime, timedelta, timezone

    from tests.helpers_subs import make_subscriber

    sink = smtp.start()
    component = make_component(api, "Database")
    make_subscriber("all@example.com")
    incident = make_incident(api, title="Checkout errors", severity="SEV2")
    api.post(f"/api/incidents/{incident['id']}/transition", json={"to": "resolved", "notify": False})
    api.post(f"/api/incidents/{incident['id']}/postmortem", json={"summary": "A bad **deploy**."})
    assert api.post(f"/api/incidents/{incident['id']}/postmortem/publish").status_code == 200
    start = datetime.now(timezone.utc) + timedelta(days=1)
    api.post("/api/maintenances", json={"title": "Database upgrade", "description": "Minor version",
                                        "starts_at": start.isoformat(),
                                        "ends_at": (start + timedelta(hours=1)).isoformat(),
                                        "component_ids": [component["id"]]})
    run_worker()
    subjects = [m["Subject"] for m in sink.to("all@example.com")]
    assert "[Acme Cloud] Major impact, resolved - Postmortem published: Checkout errors" in subjects
    assert "[Acme Cloud] Scheduled maintenance: Database upgrade" in subjects
    postmortem_mail = next(m for m in sink.to("all@example.com") if "Postmortem" in m["Subject"])
    body = text_part(postmortem_mail)
    assert "A bad deploy" in body.replace("**", "")
    assert f"http://status.test/status/incidents/{incident['id']}" in body
    maintenance_mail = next(m for m in sink.to("all@example.com") if "maintenance" in m["Subject"])
    assert "Database" in text_part(maintenance_mail)
