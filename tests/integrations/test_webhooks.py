"""Webhook subscribers end to end: a real receiver process, the real worker, signatures
checked with the standardwebhooks package."""
from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import select
from standardwebhooks import Webhook

from statuspage.extensions import db
from statuspage.models import Delivery, OutboxEvent, Subscriber
from tests.conftest import make_component, make_incident
from tests.helpers import assert_problem, audit_actions
from tests.helpers_subs import confirm, deliveries, link, subscribe
from tests.integrations.helpers import bodies, make_due, webhook


def _verify(secret: str, request: dict) -> dict:
    headers = {k: v for k, v in request["headers"].items() if k.startswith("webhook-")}
    return Webhook(secret).verify(request["body"], headers)


def test_operator_webhook_gets_a_signed_statuspage_incident_payload(api, receiver, run_worker):
    component = make_component(api, name="API")
    hook = webhook(api, receiver, "/p1")
    assert hook["secret"].startswith("whsec_") and hook["status"] == "confirmed"
    listed = api.get("/api/subscribers?channel=webhook").json["items"]
    assert [s["endpoint"] for s in listed] == [receiver.url("/p1")] and "secret" not in listed[0]
    incident = make_incident(api, components=[{"id": component["id"], "status": "major_outage"}])
    # The incident, and its component's change (a second webhook). Under load the second
    # event's fan-out can land after one burst; the worker runs again until both arrived.
    deadline = time.monotonic() + 60
    while True:
        run_worker()
        if len(receiver.requests("/p1")) >= 2 or time.monotonic() > deadline:
            break

    received = {("incident" if "incident" in p else "component_update"): (p, r)
                for r in receiver.requests("/p1") for p in [_verify(hook["secret"], r)]}
    assert set(received) == {"incident", "component_update"}
    payload, request = received["incident"]
    assert request["headers"]["content-type"] == "application/json"
    assert set(payload) == {"meta", "page", "incident"}
    assert set(payload["meta"]) == {"unsubscribe", "documentation"}
    assert payload["meta"]["unsubscribe"].startswith("http://status.test/subscriptions/unsubscribe/")
    assert set(payload["page"]) == {"id", "status_indicator", "status_description"}
    assert payload["page"]["status_indicator"] == "critical"
    got = payload["incident"]
    assert got["id"] == str(incident["id"]) and got["name"] == "Checkout errors"
    assert got["status"] == "investigating" and got["impact"] == "major"
    assert [c["id"] for c in got["components"]] == [str(component["id"])]
    assert got["incident_updates"] and got["shortlink"].endswith(f"/status/incidents/{incident['id']}")
    [row] = [d for d in deliveries(channel="webhook") if d.message_id == request["headers"]["webhook-id"]]
    assert (row.status, row.response_code, row.kind) == ("SENT", 200, "notification")
    assert row.response_excerpt == '{"ok": true}'
    assert row.message_id == request["headers"]["webhook-id"]


def test_component_change_payload(api, receiver, run_worker):
    component = make_component(api, name="Database")
    hook = webhook(api, receiver, "/p2")
    api.patch(f"/api/components/{component['id']}", json={"status": "partial_outage"})
    run_worker()
    [request] = receiver.requests("/p2")
    payload = _verify(hook["secret"], request)
    assert set(payload) == {"meta", "page", "component_update", "component"}
    update = payload["component_update"]
    assert set(update) == {"created_at", "new_status", "old_status", "id", "component_id"}
    assert (update["old_status"], update["new_status"]) == ("operational", "partial_outage")
    assert update["component_id"] == str(component["id"]) == payload["component"]["id"]
    assert payload["component"]["status"] == "partial_outage"
    assert deliveries(channel="email") == []  # email subscribers never hear of component changes


def test_a_component_change_is_labelled_with_the_pages_current_name(api, receiver, run_worker):
    component = make_component(api, name="Database")
    webhook(api, receiver, "/p2")
    assert api.patch("/api/settings", json={"page_name": "Globex"}).status_code == 200
    api.patch(f"/api/components/{component['id']}", json={"status": "partial_outage"})
    run_worker()
    assert [d.subject for d in deliveries(channel="webhook")] == ["[Globex] Database: Partial outage"]


def test_the_event_body_is_rendered_once_and_shared_by_every_recipient(api, receiver, run_worker):
    hooks = [webhook(api, receiver, f"/share/{n}") for n in range(3)]
    make_incident(api)
    run_worker()
    event = db.session.scalar(select(OutboxEvent).where(OutboxEvent.event_type == "INCIDENT_CREATED"))
    assert event.rendered["webhook"] and "slack" in event.rendered
    received = sorted(receiver.requests("/share/"), key=lambda r: r["path"])
    payloads = [_verify(h["secret"], r) for h, r in zip(hooks, received)]
    assert len({json.dumps(p["incident"]) for p in payloads}) == 1
    assert len({p["meta"]["unsubscribe"] for p in payloads}) == 3
    assert len({r["headers"]["webhook-signature"] for r in received}) == 3


def test_retries_keep_the_webhook_id_and_a_valid_signature(api, receiver, run_worker):
    hook = webhook(api, receiver, "/flaky/1")
    make_incident(api)
    run_worker()
    [row] = deliveries(channel="webhook")
    assert (row.status, row.attempts, row.response_code) == ("PENDING", 1, 500)
    assert make_due() == 1
    run_worker()
    [row] = deliveries(channel="webhook")
    assert (row.status, row.attempts, row.response_code) == ("SENT", 2, 200)
    first, second = receiver.requests("/flaky/1")
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"] == row.message_id
    assert first["body"] == second["body"]  # byte for byte, the unsubscribe link too
    assert _verify(hook["secret"], first) == _verify(hook["secret"], second)


def test_410_gone_unsubscribes(api, receiver, run_worker):
    webhook(api, receiver, "/status/410")
    make_incident(api)
    run_worker()
    [row] = deliveries(channel="webhook")
    assert (row.status, row.response_code) == ("FAILED", 410)
    db.session.expire_all()
    sub = db.session.scalar(select(Subscriber).where(Subscriber.channel == "webhook"))
    assert sub.unsubscribed_at is not None
    assert "subscriber.unsubscribed" in audit_actions("subscriber")
    make_incident(api, title="Again")
    run_worker()
    assert len(deliveries(channel="webhook")) == 1
    assert len(receiver.requests("/status/410")) == 1


def test_disabled_after_n_failed_deliveries_and_the_owner_is_emailed_once(
        app, api, receiver, run_worker, smtp, monkeypatch):
    sink = smtp.start()
    monkeypatch.setitem(app.config, "WEBHOOK_MAX_FAILURES", 2)
    monkeypatch.setitem(app.config, "DELIVERY_BACKOFF_SECONDS", ())  # one attempt per delivery
    webhook(api, receiver, "/status/503", locale="es")
    for title in ("One", "Two", "Three"):
        make_incident(api, title=title)
        run_worker()
    rows = deliveries(channel="webhook")
    assert [r.status for r in rows] == ["FAILED", "FAILED"]  # the third found it disabled
    db.session.expire_all()
    sub = db.session.scalar(select(Subscriber).where(Subscriber.channel == "webhook"))
    assert sub.disabled_at is not None and sub.consecutive_failures == 2
    [notice] = sink.to("owner@example.com")
    assert notice["Subject"] == "Su webhook de estado de Acme Cloud fue desactivado"  # the owner's language
    assert "subscriber.disabled" in audit_actions("subscriber")


def test_a_success_resets_the_failure_count(api, receiver, run_worker):
    hook = webhook(api, receiver, "/ok")
    db.session.execute(db.update(Subscriber).where(Subscriber.id == hook["id"])
                       .values(consecutive_failures=7))
    db.session.commit()
    make_incident(api)
    run_worker()
    db.session.expire_all()
    assert db.session.get(Subscriber, hook["id"]).consecutive_failures == 0


def test_ssrf_guard_at_subscribe_time(app, api, anon, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)
    for who in (api, anon):
        problem = assert_problem(who.post("/api/subscribers", json={
            "endpoint": "http://localhost:8080/hook", "email": "owner@example.com"}), 422)
        assert "loopback" in problem["errors"]["endpoint"][0]
    assert db.session.scalars(select(Subscriber)).all() == []


def test_ssrf_guard_again_at_send_time(app, api, receiver, run_worker, monkeypatch):
    webhook(api, receiver, "/guarded")
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)
    make_incident(api)
    run_worker()
    [row] = deliveries(channel="webhook")
    assert row.status == "FAILED" and "loopback" in row.last_error
    assert receiver.requests("/guarded") == []


@pytest.mark.parametrize("body, field", [
    ({"endpoint": "ftp://127.0.0.1/x", "email": "o@example.com"}, "endpoint"),
    ({"endpoint": "javascript:alert(1)", "email": "o@example.com"}, "endpoint"),
    ({"endpoint": "http://127.0.0.1:9/x", "email": "not-an-address"}, "email"),
    ({"endpoint": "http://127.0.0.1:9/x", "email": "o@example.com", "components": [999]},
     "component_ids"),
    ({"endpoint": "http://127.0.0.1:9/x", "email": "o@example.com", "mode": "daily"}, "mode"),
    ({"endpoint": "", "email": "o@example.com"}, "endpoint"),
])
def test_bad_webhook_input_creates_nothing(api, body, field):
    problem = assert_problem(api.post("/api/subscribers", json=body), 422)
    assert field in problem["errors"]
    assert db.session.scalars(select(Subscriber)).all() == []


def test_anonymous_webhook_needs_the_owner_to_confirm_and_the_secret_shows_once(
        client, anon, receiver, run_worker, smtp):
    sink = smtp.start()
    response = anon.post("/api/subscribers", json={"endpoint": receiver.url("/anon"),
                                                   "email": "owner@example.com"})
    assert response.status_code == 202 and "secret" not in response.json
    run_worker()
    [mail] = sink.to("owner@example.com")
    assert receiver.url("/anon") in mail.get_body(("plain",)).get_content()
    page = confirm(client, mail)
    html = page.get_data(as_text=True)
    assert "whsec_" in html
    secret = html.split('data-testid="webhook-secret">')[1].split("<")[0]
    again = client.get(link(mail, "confirm"))
    assert "whsec_" not in again.get_data(as_text=True)
    db.session.expire_all()
    sub = db.session.scalar(select(Subscriber).where(Subscriber.channel == "webhook"))
    assert sub.confirmed_at is not None and secret not in (sub.secret_encrypted or "")


def test_an_anonymous_webhook_owner_is_asked_in_the_readers_language(api, anon, receiver, run_worker, smtp):
    sink = smtp.start()
    assert api.patch("/api/settings", json={"page_name": "Globex"}).status_code == 200
    response = anon.post("/api/subscribers", json={"endpoint": receiver.url("/anon"), "email": "owner@example.com"},
                         headers={"Accept-Language": "de"})
    assert response.status_code == 202
    run_worker()
    [mail] = sink.to("owner@example.com")
    assert mail["Subject"] == "Webhook-Abonnement für den Status von Globex bestätigen"
    assert "Jemand (hoffentlich Sie) hat darum gebeten" in mail.get_body(("plain",)).get_content()


def test_the_webhook_unsubscribe_link_leaves_the_owners_email_subscription(api, client, receiver,
                                                                            run_worker):
    subscribe(client, "owner@example.com")
    webhook(api, receiver, "/leave")
    make_incident(api)
    run_worker()
    [request] = receiver.requests("/leave")
    url = json.loads(request["body"])["meta"]["unsubscribe"]
    path = url.removeprefix("http://status.test")
    page = client.get(path)
    assert page.status_code == 200
    db.session.expire_all()
    hook = db.session.scalar(select(Subscriber).where(Subscriber.channel == "webhook"))
    email_sub = db.session.scalar(select(Subscriber).where(Subscriber.channel == "email"))
    assert email_sub.unsubscribed_at is None
    assert Delivery is not None and hook is not None
