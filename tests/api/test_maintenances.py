"""Scheduled maintenance through the API."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.conftest import make_component, make_incident
from tests.helpers import assert_problem, audit_actions, counts, outbox


def iso(delta_minutes: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(minutes=delta_minutes)).isoformat()


def make_window(api, component_ids=(), start=60, end=120, **fields):
    response = api.post("/api/maintenances", json={
        "title": "DB upgrade", "description": "Postgres 16", "starts_at": iso(start),
        "ends_at": iso(end), "component_ids": list(component_ids), **fields})
    assert response.status_code == 201, response.json
    return response.json


def test_create_list_get_update_delete(api):
    db_comp = make_component(api, "Database")
    window = make_window(api, [db_comp["id"]])
    assert window["status"] == "scheduled"
    assert window["components"] == [{"id": db_comp["id"], "name": "Database",
                                     "status": "operational", "prior_status": None}]
    [event] = outbox("MAINTENANCE_SCHEDULED")
    assert event.fanout_status == "pending" and event.maintenance_id == window["id"]
    assert event.public_payload["maintenance"]["title"] == "DB upgrade"
    later = make_window(api, start=600, end=700, title="Later")
    assert [m["title"] for m in api.get("/api/maintenances").json["items"]] == ["DB upgrade", "Later"]
    assert api.get("/api/maintenances?status=completed").json["items"] == []
    patched = api.patch(f"/api/maintenances/{window['id']}", json={
        "title": "DB major upgrade", "ends_at": iso(180), "component_ids": []})
    assert patched.status_code == 200, patched.json
    assert patched.json["title"] == "DB major upgrade" and patched.json["components"] == []
    [updated] = outbox("MAINTENANCE_UPDATED")
    assert updated.payload["changed"] == ["component_ids", "ends_at", "title"]
    assert updated.fanout_status == "none"
    assert api.delete(f"/api/maintenances/{later['id']}").status_code == 204
    assert_problem(api.get(f"/api/maintenances/{later['id']}"), 404)
    assert audit_actions("maintenance") == ["maintenance.created", "maintenance.created",
                                            "maintenance.updated", "maintenance.deleted"]


def test_manual_lifecycle_moves_components(api):
    comp = make_component(api, "Jobs", status="degraded_performance")
    window = make_window(api, [comp["id"]])
    url = f"/api/maintenances/{window['id']}"
    started = api.post(f"{url}/transition", json={"to": "in_progress"}).json
    assert started["status"] == "in_progress" and started["started_at"]
    assert started["components"][0]["status"] == "under_maintenance"
    assert started["components"][0]["prior_status"] == "degraded_performance"
    assert api.post(f"{url}/transition", json={"to": "verifying"}).json["status"] == "verifying"
    assert api.get(f"/api/components/{comp['id']}").json["status"] == "under_maintenance"
    body = assert_problem(api.delete(url), 409)
    assert "in progress" in body["detail"]
    assert_problem(api.patch(url, json={"starts_at": iso(-5)}), 409)
    done = api.post(f"{url}/transition", json={"to": "completed"}).json
    assert done["status"] == "completed" and done["completed_at"]
    assert api.get(f"/api/components/{comp['id']}").json["status"] == "degraded_performance"
    history = api.get(f"/api/components/{comp['id']}/history").json["items"]
    assert [(h["to_status"], h["maintenance_id"]) for h in history[:2]] == \
        [("degraded_performance", window["id"]), ("under_maintenance", window["id"])]
    types = [e.event_type for e in outbox() if e.event_type.startswith("MAINTENANCE_")]
    assert types == ["MAINTENANCE_SCHEDULED", "MAINTENANCE_STARTED", "MAINTENANCE_UPDATED",
                     "MAINTENANCE_COMPLETED"]
    assert [e.fanout_status for e in outbox("MAINTENANCE_COMPLETED")] == ["pending"]
    body = assert_problem(api.post(f"{url}/transition", json={"to": "in_progress"}), 409)
    assert body["allowed"] == []
    assert_problem(api.patch(url, json={"ends_at": iso(500)}), 409)
    assert api.delete(url).status_code == 204  # a completed window may be removed


def test_cancelling_a_scheduled_window_touches_no_component(api):
    comp = make_component(api)
    window = make_window(api, [comp["id"]])
    done = api.post(f"/api/maintenances/{window['id']}/transition", json={"to": "completed"}).json
    assert done["status"] == "completed"
    assert api.get(f"/api/components/{comp['id']}/history").json["total"] == 0


def test_active_incident_wins_when_window_ends(api):
    comp = make_component(api)
    window = make_window(api, [comp["id"]])
    url = f"/api/maintenances/{window['id']}"
    api.post(f"{url}/transition", json={"to": "in_progress"})
    # The incident changes the component itself, so completion leaves it alone.
    make_incident(api, components=[{"id": comp["id"], "status": "partial_outage"}])
    api.post(f"{url}/transition", json={"to": "completed"})
    assert api.get(f"/api/components/{comp['id']}").json["status"] == "partial_outage"


@pytest.mark.parametrize("body, field", [
    ({"starts_at": iso(10), "ends_at": iso(20)}, "title"),
    ({"title": "t" * 201, "starts_at": iso(10), "ends_at": iso(20)}, "title"),
    ({"title": "t", "ends_at": iso(20)}, "starts_at"),
    ({"title": "t", "starts_at": "next tuesday", "ends_at": iso(20)}, "starts_at"),
    ({"title": "t", "starts_at": iso(20), "ends_at": iso(10)}, "ends_at"),
    ({"title": "t", "starts_at": "2030-01-01T10:00:00Z", "ends_at": "2030-01-01T10:00:00Z"}, "ends_at"),
    ({"title": "t", "starts_at": iso(10), "ends_at": iso(20), "component_ids": [999]}, "component_ids"),
    ({"title": "t", "starts_at": iso(10), "ends_at": iso(20), "component_ids": ["a"]}, "component_ids"),
    ({"title": "t", "starts_at": iso(10), "ends_at": iso(20), "status": "in_progress"}, "status"),
    ({"title": "t", "starts_at": iso(10), "ends_at": iso(20), "impact": "big"}, "impact"),
    ({"title": "t", "starts_at": iso(10), "ends_at": "0001-01-01T01:00:00+21:04"}, "ends_at"),
])
def test_bad_input(api, body, field):
    before = counts()
    assert field in assert_problem(api.post("/api/maintenances", json=body), 422)["errors"]
    assert counts() == before


def test_bad_patch_and_unknown_ids(api):
    window = make_window(api)
    url = f"/api/maintenances/{window['id']}"
    before = counts()
    assert "status" in assert_problem(api.patch(url, json={"status": "done"}), 422)["errors"]
    assert "ends_at" in assert_problem(api.patch(url, json={"ends_at": iso(30)}), 422)["errors"]
    body = assert_problem(api.post(f"{url}/transition", json={"to": "verifying"}), 409)
    assert body["allowed"] == ["in_progress", "completed"]
    assert counts() == before
    assert_problem(api.patch("/api/maintenances/999", json={"title": "x"}), 404)
    assert_problem(api.delete("/api/maintenances/999"), 404)
    assert_problem(api.get("/api/maintenances?status=soon"), 422)


def test_roles(api, api_as):
    window = make_window(api)
    for role in ("viewer", "responder"):
        client = api_as(role)
        assert_problem(client.post("/api/maintenances", json={"title": "x"}), 403)
        assert_problem(client.patch(f"/api/maintenances/{window['id']}", json={"title": "y"}), 403)
        assert_problem(client.delete(f"/api/maintenances/{window['id']}"), 403)
        assert client.get(f"/api/maintenances/{window['id']}").status_code == 200


def test_idempotency_key_creates_one_window(api):
    body = {"title": "Once", "starts_at": "2030-01-01T10:00:00Z", "ends_at": "2030-01-01T11:00:00Z"}
    first = api.post("/api/maintenances", json=body, headers={"Idempotency-Key": "mw-1"})
    again = api.post("/api/maintenances", json=body, headers={"Idempotency-Key": "mw-1"})
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true" and again.json == first.json
    assert api.get("/api/maintenances").json["total"] == 1
    assert len(outbox("MAINTENANCE_SCHEDULED")) == 1
    changed = api.post("/api/maintenances", json={**body, "title": "Twice"},
                       headers={"Idempotency-Key": "mw-1"})
    assert_problem(changed, 422)


def test_rolled_back_start_leaves_nothing(api):
    from statuspage.extensions import db
    from statuspage.services import maintenance
    from statuspage.services.context import SYSTEM

    comp = make_component(api)
    window = make_window(api, [comp["id"]])
    before = counts()
    maintenance.start(SYSTEM, window["id"])
    db.session.flush()
    db.session.rollback()
    assert counts() == before
    assert api.get(f"/api/components/{comp['id']}").json["status"] == "operational"
    assert api.get(f"/api/maintenances/{window['id']}").json["status"] == "scheduled"


def test_patch_refuses_status_and_names_the_transition_endpoint(api, api_as):
    window = make_window(api)
    url = f"/api/maintenances/{window['id']}"
    before = counts()
    body = assert_problem(api.patch(url, json={"status": "in_progress", "title": "x"}), 422)
    assert body["transition_url"] == f"{url}/transition"
    assert f"POST {url}/transition" in body["errors"]["status"][0]
    assert counts() == before and api.get(url).json["status"] == "scheduled"
    assert "to" in assert_problem(api.post(f"{url}/transition", json={"to": "done"}), 422)["errors"]
    assert_problem(api.post("/api/maintenances/999/transition", json={"to": "completed"}), 404)
    for role in ("viewer", "responder"):
        assert_problem(api_as(role).post(f"{url}/transition", json={"to": "completed"}), 403)
