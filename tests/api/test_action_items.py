"""Action items of a postmortem."""
from __future__ import annotations

import pytest

from tests.conftest import make_incident
from tests.helpers import assert_problem, audit_actions, counts, outbox


@pytest.fixture
def pm(api):
    incident = make_incident(api)
    url = f"/api/incidents/{incident['id']}/postmortem"
    assert api.post(url, json={"summary": "s"}).status_code == 201
    return url + "/action-items"


def test_crud(api, pm):
    created = api.post(pm, json={"title": "Add canary", "owner": "Rui", "due_date": "2026-12-24",
                                 "priority": "high"})
    assert created.status_code == 201, created.json
    item = created.json
    assert (item["status"], item["priority"], item["due_date"]) == ("open", "high", "2026-12-24")
    defaults = api.post(pm, json={"title": "Write runbook"}).json
    assert (defaults["priority"], defaults["status"], defaults["owner"], defaults["due_date"]) == \
        ("medium", "open", "", None)
    listed = api.get(pm).json["items"]
    assert [i["title"] for i in listed] == ["Add canary", "Write runbook"]
    patched = api.patch(f"/api/action-items/{item['id']}", json={"status": "done", "due_date": None})
    assert patched.status_code == 200 and patched.json["status"] == "done"
    assert patched.json["due_date"] is None
    assert api.delete(f"/api/action-items/{item['id']}").status_code == 204
    assert [i["title"] for i in api.get(pm).json["items"]] == ["Write runbook"]
    assert audit_actions("action_item") == ["action_item.created", "action_item.created",
                                            "action_item.updated", "action_item.deleted"]
    events = outbox("ACTION_ITEM_CHANGED")
    assert [e.payload["action"] for e in events] == ["created", "created", "updated", "deleted"]
    assert all(e.public_payload is None for e in events)


def test_no_change_writes_nothing(api, pm):
    item = api.post(pm, json={"title": "x"}).json
    before = counts()
    assert api.patch(f"/api/action-items/{item['id']}", json={"title": "x"}).status_code == 200
    assert counts() == before


@pytest.mark.parametrize("body, field", [
    ({}, "title"),
    ({"title": ""}, "title"),
    ({"title": "t" * 201}, "title"),
    ({"title": "t", "priority": "urgent"}, "priority"),
    ({"title": "t", "status": "closed"}, "status"),
    ({"title": "t", "due_date": "tomorrow"}, "due_date"),
    ({"title": "t", "due_date": 5}, "due_date"),
    ({"title": "t", "owner": ["a"]}, "owner"),
    ({"title": "t", "id": 3}, "id"),
])
def test_bad_input(api, pm, body, field):
    before = counts()
    assert field in assert_problem(api.post(pm, json=body), 422)["errors"]
    assert counts() == before


def test_bad_patch_and_unknown_ids(api, pm):
    item = api.post(pm, json={"title": "x"}).json
    assert "priority" in assert_problem(
        api.patch(f"/api/action-items/{item['id']}", json={"priority": 3}), 422)["errors"]
    assert_problem(api.patch("/api/action-items/9999", json={"title": "y"}), 404)
    assert_problem(api.delete("/api/action-items/9999"), 404)
    assert_problem(api.get("/api/incidents/9999/postmortem/action-items"), 404)


def test_needs_a_postmortem_first(api):
    incident = make_incident(api)
    url = f"/api/incidents/{incident['id']}/postmortem/action-items"
    body = assert_problem(api.post(url, json={"title": "x"}), 404)
    assert "no postmortem" in body["detail"]


def test_roles(api_as, pm):
    viewer, responder = api_as("viewer"), api_as("responder")
    assert_problem(viewer.post(pm, json={"title": "x"}), 403)
    item = responder.post(pm, json={"title": "x"}).json
    assert_problem(viewer.patch(f"/api/action-items/{item['id']}", json={"title": "y"}), 403)
    assert_problem(viewer.delete(f"/api/action-items/{item['id']}"), 403)
    assert viewer.get(pm).status_code == 200
    assert responder.delete(f"/api/action-items/{item['id']}").status_code == 204
