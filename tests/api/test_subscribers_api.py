"""POST /api/subscribers (public) and the operator endpoints."""
from __future__ import annotations

import pytest

from tests.conftest import make_component, make_incident
from tests.helpers_subs import deliveries, make_subscriber, subscriber
from statuspage.extensions import db, redis_client
from statuspage.models import AuditEvent, EmailDelivery, Subscriber
from statuspage import heartbeat


def test_same_202_answer_whatever_the_address_state(anon):
    make_subscriber("confirmed@example.com")
    make_subscriber("pending@example.com", confirmed=False)
    gone = make_subscriber("gone@example.com")
    gone.unsubscribed_at = gone.confirmed_at
    db.session.commit()
    answers = set()
    for email in ("new@example.com", "confirmed@example.com", "pending@example.com", "gone@example.com"):
        response = anon.post("/api/subscribers", json={"email": email})
        assert response.status_code == 202
        answers.add(response.get_data(as_text=True))
    assert len(answers) == 1
    assert len(deliveries(kind="confirmation")) == 4
    # A stranger's request changes no live subscription: it only mails a new link.
    still = db.session.scalars(db.select(Subscriber).where(
        Subscriber.email == "confirmed@example.com").order_by(Subscriber.id)).all()
    assert [s.confirmed_at is not None for s in still] == [True]


def test_domain_is_lower_cased_and_audit_recorded(anon):
    anon.post("/api/subscribers", json={"email": "Ann@EXAMPLE.org"})
    sub = subscriber("Ann@example.org")
    assert sub is not None and sub.confirmed_at is None
    assert db.session.scalar(db.select(AuditEvent.action).where(
        AuditEvent.target_type == "subscriber")) == "subscriber.requested"


@pytest.mark.parametrize("body", [
    {"email": "not-an-email"},
    {"email": "a@" + "b" * 250 + ".com"},
    {"email": ("x" * 64 + ".") * 3 + "@example.com"},
    {"email": "ok@example.com", "component_ids": [999]},
    {"email": "ok@example.com", "incident_id": 999},
    {"email": "ok@example.com", "unknown": 1},
    {},
])
def test_invalid_input_is_422_and_changes_nothing(anon, body):
    response = anon.post("/api/subscribers", json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert db.session.scalar(db.select(db.func.count()).select_from(EmailDelivery)) == 0


def test_internal_incident_cannot_be_followed(anon, api):
    internal = make_incident(api, visibility="internal")
    public = make_incident(api)
    assert anon.post("/api/subscribers", json={"email": "a@example.com",
                                               "incident_id": internal["id"]}).status_code == 422
    assert anon.post("/api/subscribers", json={"email": "a@example.com",
                                               "incident_id": public["id"]}).status_code == 202
    both = {"email": "a@example.com", "incident_id": public["id"], "component_ids": [1]}
    assert anon.post("/api/subscribers", json=both).status_code == 422


def test_rate_limits_per_ip_and_per_address(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", True)
    for n in range(3):
        ok = client.post("/api/subscribers", json={"email": "target@example.com"},
                         environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
        assert ok.status_code == 202
    limited = client.post("/api/subscribers", json={"email": "target@example.com"},
                          environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 86400
    for n in range(5):
        client.post("/api/subscribers", json={"email": f"u{n}@example.com"},
                    environ_base={"REMOTE_ADDR": "10.1.1.1"})
    limited = client.post("/api/subscribers", json={"email": "u9@example.com"},
                          environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) <= 3600
    assert len(deliveries(kind="confirmation")) == 8


def test_admin_lists_filters_and_deletes(api):
    web = make_component(api, name="Web")
    make_subscriber("all@example.com")
    make_subscriber("web@example.com", "components", components=[web["id"]])
    make_subscriber("pending@example.com", confirmed=False)
    listing = api.get("/api/subscribers?status=confirmed")
    assert listing.status_code == 200
    assert sorted(s["email"] for s in listing.json["items"]) == ["all@example.com", "web@example.com"]
    by_component = api.get(f"/api/subscribers?component={web['id']}").json["items"]
    assert [s["component_ids"] for s in by_component] == [[web["id"]]]
    assert api.get("/api/subscribers?q=pend").json["items"][0]["status"] == "pending"
    assert api.get("/api/subscribers?status=bogus").status_code == 422
    target = by_component[0]["id"]
    assert api.delete(f"/api/subscribers/{target}").status_code == 204
    assert api.delete(f"/api/subscribers/{target}").status_code == 404
    assert api.get("/api/subscribers").json["total"] == 2


def test_deliveries_listing_counts_retry_and_worker_field(api):
    make_subscriber("a@example.com")
    incident = make_incident(api)
    from statuspage.services.email import fanout as notifications
    from statuspage.models import OutboxEvent

    for event_id in db.session.scalars(db.select(OutboxEvent.id)):
        notifications.fanout(event_id)
    [row] = deliveries()
    listing = api.get(f"/api/deliveries?incident={incident['id']}")
    assert listing.status_code == 200
    body = listing.json
    assert body["counts"] == {"PENDING": 1, "SENDING": 0, "SENT": 0, "FAILED": 0}
    assert body["worker"]["running"] is False
    assert body["worker"]["warning"] == "Emails are queued but no worker is running."
    assert api.get("/api/deliveries?status=SENT").json["items"] == []
    assert api.get(f"/api/deliveries?incident={incident['id'] + 1}").json["total"] == 0

    heartbeat.beat(redis_client.client)
    assert api.get("/api/deliveries").json["worker"] == {
        "last_seen_at": api.get("/api/deliveries").json["worker"]["last_seen_at"],
        "running": True, "warning": None}

    assert api.post(f"/api/deliveries/{row.id}/retry").status_code == 409
    db.session.execute(db.update(EmailDelivery).values(status="FAILED", attempts=6, last_error="550"))
    db.session.commit()
    retried = api.post(f"/api/deliveries/{row.id}/retry")
    assert retried.status_code == 200
    assert (retried.json["status"], retried.json["attempts"]) == ("PENDING", 0)
    assert api.post("/api/deliveries/999/retry").status_code == 404


@pytest.mark.parametrize("path", ["/api/subscribers", "/api/deliveries"])
def test_operator_endpoints_need_admin(api_as, path):
    assert api_as("responder").get(path).status_code == 403


@pytest.mark.parametrize("path", ["/api/subscribers", "/api/deliveries"])
def test_operator_endpoints_need_auth(anon, path):
    assert anon.get(path).status_code == 401


def test_test_email_is_queued_and_sent(api, smtp, run_worker):
    sink = smtp.start()
    response = api.post("/api/mail/test", json={"email": "ops@example.com"})
    assert response.status_code == 202 and response.json["kind"] == "test"
    assert api.post("/api/mail/test", json={"email": "nope"}).status_code == 422
    run_worker()
    [message] = sink.messages
    assert message["To"] == "ops@example.com" and "Test email" in message["Subject"]
    assert message["List-Unsubscribe"] is None


def test_routes_are_in_the_openapi_document(anon):
    paths = anon.get("/api/openapi.json").json["paths"]
    for path in ("/api/subscribers", "/api/subscribers/{subscriber_id}", "/api/deliveries",
                 "/api/deliveries/{delivery_id}/retry", "/api/mail/test"):
        assert path in paths
    assert paths["/api/subscribers"]["post"]["security"] == []
