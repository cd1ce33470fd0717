"""Idempotency-Key semantics, including concurrent duplicates."""
import threading
from datetime import timedelta

from statuspage.extensions import db, redis_client
from statuspage.models import AuditEvent, IdempotencyKey, Incident, IncidentUpdate, utcnow

from ..conftest import ApiClient, make_incident, make_token

BODY = {"title": "Checkout errors", "severity": "SEV2"}


def post(api, body=BODY, key="key-1", path="/api/incidents"):
    return api.post(path, json=body, headers={"Idempotency-Key": key})


def test_same_key_and_body_replays_the_stored_response(api):
    first = post(api)
    second = post(api)
    assert first.status_code == second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert second.json == first.json
    assert db.session.query(Incident).count() == 1
    assert db.session.query(AuditEvent).filter_by(action="incident.created").count() == 1


def test_same_key_with_another_body_is_422(api):
    post(api)
    response = post(api, body={**BODY, "title": "Other"})
    assert response.status_code == 422
    assert response.json["title"] == "Idempotency key reused"
    assert db.session.query(Incident).count() == 1


def test_keys_are_scoped_to_the_principal(client):
    alice, bob = ApiClient(client, make_token("responder")), ApiClient(client, make_token("responder"))
    assert post(alice).status_code == 201
    response = post(bob)
    assert response.status_code == 201 and "Idempotent-Replayed" not in response.headers
    assert db.session.query(Incident).count() == 2


def test_transition_and_update_posts_are_idempotent(api):
    incident = make_incident(api)
    path = f"/api/incidents/{incident['id']}/transition"
    assert post(api, {"to": "identified"}, "t-1", path).status_code == 200
    replay = post(api, {"to": "identified"}, "t-1", path)
    assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"
    path = f"/api/incidents/{incident['id']}/updates"
    assert post(api, {"body": "hello"}, "u-1", path).status_code == 201
    assert post(api, {"body": "hello"}, "u-1", path).headers["Idempotent-Replayed"] == "true"
    kinds = [u.kind for u in db.session.query(IncidentUpdate).order_by(IncidentUpdate.id)]
    assert kinds == ["created", "transition", "update"]


def test_a_twin_still_in_flight_gets_409(api):
    """The in-flight marker is held while the original request runs."""
    post(api, key="warmup")  # learn the lock key format through a real request
    from statuspage.services.idempotency import _lock_key
    principal = db.session.query(IdempotencyKey).one().principal
    redis_client.client.set(_lock_key(principal, "busy"), "someone-else", ex=30)
    response = post(api, key="busy")
    assert response.status_code == 409
    assert response.json["title"] == "Request in progress"
    assert db.session.query(Incident).count() == 1


def test_failed_requests_do_not_consume_the_key(api):
    assert post(api, body={"title": "no severity"}).status_code == 422
    assert post(api, body={"title": "no severity"}).status_code == 422
    assert post(api, body=BODY).status_code == 201  # same key, now valid: runs once
    assert db.session.query(IdempotencyKey).count() == 1


def test_keys_expire_after_24_hours(api):
    post(api)
    row = db.session.query(IdempotencyKey).one()
    row.created_at = utcnow() - timedelta(hours=25)
    db.session.commit()
    response = post(api)
    assert response.status_code == 201 and "Idempotent-Replayed" not in response.headers
    assert db.session.query(Incident).count() == 2


def test_invalid_key_is_400(api):
    response = post(api, key="x" * 256)
    assert response.status_code == 400
    assert db.session.query(Incident).count() == 0


def test_concurrent_duplicates_create_exactly_one_incident(api):
    barrier = threading.Barrier(10)
    results = []

    def worker():
        barrier.wait()
        results.append(post(api, key="race"))

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(r.status_code for r in results)
    assert set(statuses) <= {201, 409}, statuses
    created = [r for r in results if r.status_code == 201]
    assert sum("Idempotent-Replayed" not in r.headers for r in created) == 1
    assert {r.json["id"] for r in created} == {created[0].json["id"]}
    db.session.expire_all()
    assert db.session.query(Incident).count() == 1
    assert db.session.query(AuditEvent).filter_by(action="incident.created").count() == 1
