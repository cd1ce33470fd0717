"""Components and groups: CRUD, ordering, status history."""
from __future__ import annotations

import pytest

from tests.conftest import make_component, make_incident
from tests.helpers import assert_problem, audit_actions, counts, outbox


def make_group(api, name="Core", **fields):
    response = api.post("/api/component-groups", json={"name": name, **fields})
    assert response.status_code == 201, response.json
    return response.json


def test_component_crud_with_groups(api):
    group = make_group(api, "Core", description="Core services")
    a = make_component(api, "API", group_id=group["id"])
    b = make_component(api, "Web", group_id=group["id"], status="degraded_performance")
    assert (a["position"], b["position"]) == (1, 2)
    assert [c["name"] for c in api.get("/api/components").json["items"]] == ["API", "Web"]
    got_group = api.get(f"/api/component-groups/{group['id']}").json
    assert [c["name"] for c in got_group["components"]] == ["API", "Web"]
    patched = api.patch(f"/api/components/{a['id']}", json={"name": "Public API", "group_id": None})
    assert patched.json["name"] == "Public API" and patched.json["group_id"] is None
    assert api.delete(f"/api/components/{b['id']}").status_code == 200
    assert api.get(f"/api/components/{b['id']}").json["archived_at"] is not None
    assert audit_actions("component") == ["component.created", "component.created",
                                          "component.updated", "component.archived"]
    assert [e.payload["action"] for e in outbox("COMPONENT_UPDATED")] == \
        ["created", "created", "updated", "archived"]
    assert len(outbox("COMPONENT_STATUS_CHANGED")) == 1  # only Web started non-operational


def test_group_crud(api):
    group = make_group(api, "Infra")
    component = make_component(api, "DB", group_id=group["id"])
    patched = api.patch(f"/api/component-groups/{group['id']}", json={"name": "Infrastructure"})
    assert patched.json["name"] == "Infrastructure"
    assert [g["name"] for g in api.get("/api/component-groups").json["items"]] == ["Infrastructure"]
    assert api.delete(f"/api/component-groups/{group['id']}").status_code == 204
    assert api.get(f"/api/components/{component['id']}").json["group_id"] is None
    assert audit_actions("component_group") == ["component_group.created", "component_group.updated",
                                                "component_group.deleted"]
    assert [e.payload["action"] for e in outbox("COMPONENT_GROUP_UPDATED")] == \
        ["created", "updated", "deleted"]


def test_reorder_components_and_groups(api):
    ids = [make_component(api, n)["id"] for n in ("A", "B", "C")]
    response = api.put("/api/components/order", json={"ids": [ids[2], ids[0], ids[1]]})
    assert response.status_code == 200, response.json
    assert [c["name"] for c in api.get("/api/components").json["items"]] == ["C", "A", "B"]
    assert "component.reordered" in audit_actions("component")
    before = counts()
    for bad in ([ids[0], ids[1]], [ids[0], ids[0], ids[1], ids[2]], ids + [999]):
        assert "ids" in assert_problem(api.put("/api/components/order", json={"ids": bad}), 422)["errors"]
    assert_problem(api.put("/api/components/order", json={"ids": "1,2"}), 422)
    assert counts() == before
    groups = [make_group(api, n)["id"] for n in ("G1", "G2")]
    assert api.put("/api/component-groups/order", json={"ids": groups[::-1]}).status_code == 200
    assert [g["name"] for g in api.get("/api/component-groups").json["items"]] == ["G2", "G1"]


def test_status_history_records_from_to_incident_and_actor(api):
    component = make_component(api, "API")
    cid = component["id"]
    api.patch(f"/api/components/{cid}", json={"status": "degraded_performance"})
    incident = make_incident(api, components=[{"id": cid, "status": "major_outage"}])
    api.post(f"/api/incidents/{incident['id']}/transition", json={"to": "resolved"})
    history = api.get(f"/api/components/{cid}/history").json
    rows = [(h["from_status"], h["to_status"], h["incident_id"]) for h in history["items"]]
    assert rows == [("major_outage", "operational", incident["id"]),
                    ("degraded_performance", "major_outage", incident["id"]),
                    ("operational", "degraded_performance", None)]
    assert history["total"] == 3 and history["items"][0]["actor"].startswith("Admin")
    since = history["items"][1]["changed_at"]
    assert api.get(f"/api/components/{cid}/history", query_string={"since": since}).json["total"] >= 2
    assert_problem(api.get(f"/api/components/{cid}/history?since=yesterday"), 422)
    assert_problem(api.get("/api/components/999/history"), 404)


def _history(api, component_id) -> list[tuple]:
    body = api.get(f"/api/components/{component_id}/history", query_string={"per_page": 100}).json
    return [(h["from_status"], h["to_status"], h["changed_at"]) for h in body["items"]]


def test_delete_archives_keeping_the_status_history(api):
    component = make_component(api, "Legacy API", status="degraded_performance")
    cid = component["id"]
    incident = make_incident(api, components=[{"id": cid, "status": "major_outage"}])
    api.post(f"/api/incidents/{incident['id']}/transition", json={"to": "resolved"})
    history = _history(api, cid)
    assert len(history) == 3

    response = api.delete(f"/api/components/{cid}")
    assert response.status_code == 200, response.json
    assert response.json["id"] == cid and response.json["archived_at"]
    assert response.json["orphaned_subscribers"] == []
    assert cid not in [c["id"] for c in api.get("/api/components").json["items"]]
    archived = api.get("/api/components", query_string={"archived": "true"}).json["items"]
    assert [c["id"] for c in archived] == [cid]
    assert _history(api, cid) == history  # every row kept
    assert api.get(f"/api/incidents/{incident['id']}").json["components"][0]["id"] == cid
    assert api.delete(f"/api/components/{cid}").status_code == 200  # archiving twice is harmless
    assert audit_actions("component").count("component.archived") == 1

    restored = api.post(f"/api/components/{cid}/restore")
    assert restored.status_code == 200 and restored.json["archived_at"] is None
    assert cid in [c["id"] for c in api.get("/api/components").json["items"]]
    assert _history(api, cid) == history
    assert audit_actions("component")[-1] == "component.restored"


def test_archiving_reports_subscribers_left_with_nothing_to_follow(api):
    from tests.helpers_subs import make_subscriber

    legacy, web = make_component(api, "Legacy")["id"], make_component(api, "Web")["id"]
    only = make_subscriber("only-legacy@example.com", "components", components=[legacy])
    make_subscriber("both@example.com", "components", components=[legacy, web])
    make_subscriber("everything@example.com", "all")
    gone = make_subscriber("left@example.com", "components", components=[legacy])
    from statuspage.extensions import db
    from statuspage.models import utcnow
    gone.unsubscribed_at = utcnow()
    db.session.commit()
    body = api.delete(f"/api/components/{legacy}").json
    assert body["orphaned_subscribers"] == [{"id": only.id, "email": "only-legacy@example.com"}]


def test_archived_components_cannot_be_newly_referenced(api):
    legacy = make_component(api, "Legacy")["id"]
    api.delete(f"/api/components/{legacy}")
    before = counts()
    body = assert_problem(api.post("/api/incidents", json={
        "title": "t", "severity": "SEV3", "components": [{"id": legacy, "status": "major_outage"}]}), 422)
    assert "archived" in str(body["errors"])
    assert_problem(api.post("/api/subscribers", json={"email": "a@example.com",
                                                      "component_ids": [legacy]}), 422)
    assert counts() == before


@pytest.mark.parametrize("body, field", [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": "x" * 121}, "name"),
    ({"name": "x", "status": "broken"}, "status"),
    ({"name": "x", "position": "1"}, "position"),
    ({"name": "x", "group_id": 999}, "group_id"),
    ({"name": "x", "group_id": "abc"}, "group_id"),
    ({"name": "x", "uptime": 99.9}, "uptime"),
])
def test_bad_component_input(api, body, field):
    before = counts()
    assert field in assert_problem(api.post("/api/components", json=body), 422)["errors"]
    assert counts() == before


def test_bad_group_input_and_unknown_ids(api):
    assert "name" in assert_problem(api.post("/api/component-groups", json={"name": ""}), 422)["errors"]
    assert "extra" in assert_problem(api.post("/api/component-groups", json={"name": "x", "extra": 1}), 422)["errors"]
    assert_problem(api.patch("/api/component-groups/999", json={"name": "x"}), 404)
    assert_problem(api.delete("/api/component-groups/999"), 404)
    assert_problem(api.get("/api/component-groups/999"), 404)
    assert_problem(api.patch("/api/components/999", json={"name": "x"}), 404)
    assert_problem(api.delete("/api/components/999"), 404)
    assert_problem(api.post("/api/components/999/restore"), 404)


def test_roles(api, api_as):
    component = make_component(api)
    group = make_group(api)
    for role in ("viewer", "responder"):
        client = api_as(role)
        assert_problem(client.post("/api/components", json={"name": "x"}), 403)
        assert_problem(client.patch(f"/api/components/{component['id']}", json={"name": "y"}), 403)
        assert_problem(client.delete(f"/api/components/{component['id']}"), 403)
        assert_problem(client.post(f"/api/components/{component['id']}/restore"), 403)
        assert_problem(client.post("/api/component-groups", json={"name": "x"}), 403)
        assert_problem(client.patch(f"/api/component-groups/{group['id']}", json={"name": "y"}), 403)
        assert_problem(client.put("/api/components/order", json={"ids": [component["id"]]}), 403)
        assert client.get(f"/api/components/{component['id']}/history").status_code == 200


def test_update_moves_components_and_shows_them(api):
    component = make_component(api, "API")
    incident = make_incident(api, components=[{"id": component["id"], "status": "major_outage"}])
    response = api.post(f"/api/incidents/{incident['id']}/updates", json={
        "body": "Partially restored", "next_update_at": "2026-11-27T15:30:00Z",
        "components": [{"id": component["id"], "status": "partial_outage"}]})
    assert response.status_code == 201, response.json
    assert response.json["components"] == [{"id": component["id"], "name": "API",
                                            "old_status": "major_outage", "new_status": "partial_outage"}]
    detail = api.get(f"/api/incidents/{incident['id']}").json
    assert detail["next_update_at"] == "2026-11-27T15:30:00+00:00"
    assert detail["components"] == [{"id": component["id"], "name": "API", "status": "partial_outage"}]
    latest = api.get(f"/api/components/{component['id']}/history").json["items"][0]
    assert (latest["from_status"], latest["to_status"], latest["incident_id"]) == \
        ("major_outage", "partial_outage", incident["id"])
    posted = outbox("INCIDENT_UPDATE_POSTED")[-1]
    assert posted.public_payload["update"]["components"][0]["new_status"] == "partial_outage"
    assert posted.public_payload["incident"]["next_update_at"] == "2026-11-27T15:30:00+00:00"
    before = counts()
    assert_problem(api.post(f"/api/incidents/{incident['id']}/updates", json={
        "body": "x", "components": [{"id": 999, "status": "operational"}]}), 422)
    assert_problem(api.post(f"/api/incidents/{incident['id']}/updates", json={
        "body": "x", "next_update_at": "soon"}), 422)
    assert counts() == before


def test_next_update_at_on_create_and_patch(api):
    incident = make_incident(api, next_update_at="2026-11-27T10:00:00+02:00")
    assert incident["next_update_at"] == "2026-11-27T08:00:00+00:00"
    cleared = api.patch(f"/api/incidents/{incident['id']}", json={"next_update_at": None})
    assert cleared.json["next_update_at"] is None
