"""Incident and update templates: CRUD and prefilling (explicit fields win)."""
from __future__ import annotations

import pytest

from tests.conftest import make_component, make_incident
from tests.helpers import assert_problem, audit_actions, counts


def test_crud(api):
    component = make_component(api)
    created = api.post("/api/templates", json={
        "name": "DB failover", "title": "Database failover", "body": "We are failing over.",
        "severity": "SEV2", "tags": ["DB", "db", "failover"],
        "components": [{"id": component["id"], "status": "partial_outage"}]})
    assert created.status_code == 201, created.json
    tpl = created.json
    assert tpl["kind"] == "incident" and tpl["tags"] == ["db", "failover"]
    assert tpl["components"] == [{"id": component["id"], "status": "partial_outage"}]
    update_tpl = api.post("/api/templates", json={"kind": "update", "name": "Still on it",
                                                  "body": "Still investigating."}).json
    assert [t["name"] for t in api.get("/api/templates").json["items"]] == ["DB failover", "Still on it"]
    assert [t["id"] for t in api.get("/api/templates?kind=update").json["items"]] == [update_tpl["id"]]
    assert api.get(f"/api/templates/{tpl['id']}").json["name"] == "DB failover"
    patched = api.patch(f"/api/templates/{tpl['id']}", json={"severity": "SEV1", "tags": ["X"]})
    assert patched.json["severity"] == "SEV1" and patched.json["tags"] == ["x"]
    assert api.delete(f"/api/templates/{update_tpl['id']}").status_code == 204
    assert_problem(api.get(f"/api/templates/{update_tpl['id']}"), 404)
    assert audit_actions("template") == ["template.created", "template.created",
                                         "template.updated", "template.deleted"]


@pytest.mark.parametrize("body, field", [
    ({}, "name"),
    ({"name": "n" * 121}, "name"),
    ({"name": "x", "kind": "postmortem"}, "kind"),
    ({"name": "x", "severity": "SEV5"}, "severity"),
    ({"name": "x", "components": [{"id": 999, "status": "major_outage"}]}, "components"),
    ({"name": "x", "components": [{"id": 1, "status": "on_fire"}]}, "components"),
    ({"name": "x", "components": "API"}, "components"),
    ({"name": "x", "tags": ["bad|tag"]}, "tags"),
    ({"name": "x", "color": "red"}, "color"),
    ({"name": "x", "kind": "update", "severity": "SEV1"}, "severity"),
    ({"name": "x", "kind": "update", "title": "T"}, "title"),
])
def test_bad_input(api, body, field):
    make_component(api)
    before = counts()
    assert field in assert_problem(api.post("/api/templates", json=body), 422)["errors"]
    assert counts() == before


def test_kind_is_fixed_and_update_rules_hold_on_patch(api):
    tpl = api.post("/api/templates", json={"kind": "update", "name": "u", "body": "b"}).json
    assert "kind" in assert_problem(api.patch(f"/api/templates/{tpl['id']}", json={"kind": "incident"}), 422)["errors"]
    assert "severity" in assert_problem(
        api.patch(f"/api/templates/{tpl['id']}", json={"severity": "SEV1"}), 422)["errors"]
    assert_problem(api.patch("/api/templates/999", json={"name": "x"}), 404)
    assert_problem(api.delete("/api/templates/999"), 404)
    assert_problem(api.get("/api/templates?kind=bogus"), 422)


def test_roles(api_as):
    responder, viewer = api_as("responder"), api_as("viewer")
    assert_problem(responder.post("/api/templates", json={"name": "x"}), 403)
    admin = api_as("admin")
    tpl = admin.post("/api/templates", json={"name": "x"}).json
    assert_problem(responder.patch(f"/api/templates/{tpl['id']}", json={"name": "y"}), 403)
    assert_problem(viewer.delete(f"/api/templates/{tpl['id']}"), 403)
    assert viewer.get("/api/templates").status_code == 200


def test_incident_prefill_explicit_fields_win(api):
    component = make_component(api)
    tpl = api.post("/api/templates", json={
        "name": "Outage", "title": "API outage", "body": "We are investigating.", "severity": "SEV1",
        "tags": ["api"], "components": [{"id": component["id"], "status": "major_outage"}]}).json
    incident = api.post("/api/incidents", json={"template_id": tpl["id"],
                                                 "title": "Explicit title"}).json
    assert incident["title"] == "Explicit title"
    assert (incident["severity"], incident["summary"], incident["tags"]) == \
        ("SEV1", "We are investigating.", ["api"])
    assert incident["components"][0]["status"] == "major_outage"
    assert api.get(f"/api/components/{component['id']}").json["status"] == "major_outage"


def test_update_prefill_and_wrong_kind(api):
    component = make_component(api)
    incident_tpl = api.post("/api/templates", json={"name": "i", "title": "t", "severity": "SEV3"}).json
    update_tpl = api.post("/api/templates", json={
        "kind": "update", "name": "Recovering", "body": "Recovering now.",
        "components": [{"id": component["id"], "status": "degraded_performance"}]}).json
    incident = make_incident(api)
    url = f"/api/incidents/{incident['id']}/updates"
    entry = api.post(url, json={"template_id": update_tpl["id"]})
    assert entry.status_code == 201, entry.json
    assert entry.json["body"] == "Recovering now."
    assert entry.json["components"][0]["new_status"] == "degraded_performance"
    own = api.post(url, json={"template_id": update_tpl["id"], "body": "Mine", "components": []}).json
    assert own["body"] == "Mine" and own["components"] == []
    assert "template_id" in assert_problem(api.post(url, json={"template_id": incident_tpl["id"]}), 422)["errors"]
    assert "template_id" in assert_problem(
        api.post("/api/incidents", json={"template_id": update_tpl["id"]}), 422)["errors"]


def test_archiving_a_component_drops_it_from_templates(api):
    keep, gone = make_component(api, "Keep"), make_component(api, "Gone")
    tpl = api.post("/api/templates", json={"name": "x", "components": [
        {"id": keep["id"], "status": "major_outage"}, {"id": gone["id"], "status": "major_outage"}]}).json
    assert api.delete(f"/api/components/{gone['id']}").status_code == 200
    assert api.get(f"/api/templates/{tpl['id']}").json["components"] == \
        [{"id": keep["id"], "status": "major_outage"}]
