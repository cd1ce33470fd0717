"""Postmortems: draft, edit, publish once, export as Markdown."""
from __future__ import annotations

import pytest

from statuspage.extensions import db
from statuspage.services import postmortems
from statuspage.services.context import SYSTEM
from tests.conftest import make_component, make_incident
from tests.helpers import assert_problem, audit_actions, counts, outbox

SECTIONS = {"summary": "Checkout failed for 40 minutes.", "impact": "12% of orders.",
            "root_cause": "A bad config push.", "resolution": "Rolled back.",
            "lessons": "Canary config pushes."}


def resolved_incident(api, **fields):
    incident = make_incident(api, **fields)
    response = api.post(f"/api/incidents/{incident['id']}/transition",
                        json={"to": "resolved", "message": "Fixed"})
    assert response.status_code == 200, response.json
    return incident


def test_draft_edit_and_read(api):
    incident = make_incident(api)
    url = f"/api/incidents/{incident['id']}/postmortem"
    assert_problem(api.get(url), 404)
    created = api.post(url, json={"summary": "Draft"})
    assert created.status_code == 201, created.json
    assert created.json["status"] == "draft" and created.json["summary"] == "Draft"
    assert created.json["action_items"] == []
    patched = api.patch(url, json={"root_cause": "DNS", "lessons": "More TTL"})
    assert patched.status_code == 200
    got = api.get(url).json
    assert (got["summary"], got["root_cause"], got["lessons"]) == ("Draft", "DNS", "More TTL")
    assert audit_actions("postmortem") == ["postmortem.created", "postmortem.updated"]
    updated = outbox("POSTMORTEM_UPDATED")
    assert len(updated) == 2 and all(e.public_payload is None for e in updated)  # drafts stay internal
    assert updated[1].payload["changed"] == ["lessons", "root_cause"]


def test_second_postmortem_is_a_conflict(api):
    incident = make_incident(api)
    url = f"/api/incidents/{incident['id']}/postmortem"
    api.post(url, json={})
    before = counts()
    assert_problem(api.post(url, json={"summary": "again"}), 409)
    assert counts() == before


def test_publish_needs_resolved_incident_then_is_idempotent(api):
    incident = make_incident(api)
    url = f"/api/incidents/{incident['id']}/postmortem"
    api.post(url, json=SECTIONS)
    before = counts()
    body = assert_problem(api.post(url + "/publish"), 409)
    assert "resolve" in body["detail"]
    assert counts() == before
    api.post(f"/api/incidents/{incident['id']}/transition", json={"to": "resolved"})
    first = api.post(url + "/publish")
    assert first.status_code == 200 and first.json["status"] == "published"
    assert first.json["published_at"]
    again = api.post(url + "/publish")
    assert again.status_code == 200 and again.json["published_at"] == first.json["published_at"]
    published = outbox("POSTMORTEM_PUBLISHED")
    assert len(published) == 1
    event = published[0]
    assert event.fanout_status == "pending" and event.incident_id == incident["id"]
    assert event.public_payload["postmortem"]["root_cause"] == "A bad config push."
    assert "status" not in event.public_payload["postmortem"]
    assert audit_actions("postmortem").count("postmortem.published") == 1


def test_internal_incident_postmortem_is_never_public(api):
    incident = resolved_incident(api, visibility="internal")
    url = f"/api/incidents/{incident['id']}/postmortem"
    api.post(url, json=SECTIONS)
    assert api.post(url + "/publish").status_code == 200
    [event] = outbox("POSTMORTEM_PUBLISHED")
    assert event.public_payload is None and event.audience == "admin"
    assert event.fanout_status == "none"  # no subscriber email for an internal incident


def test_publish_needs_a_summary(api):
    incident = resolved_incident(api)
    url = f"/api/incidents/{incident['id']}/postmortem"
    api.post(url, json={"impact": "some"})
    body = assert_problem(api.post(url + "/publish"), 422)
    assert "summary" in body["errors"]


def test_editing_published_postmortem_reaches_public_stream(api):
    incident = resolved_incident(api)
    url = f"/api/incidents/{incident['id']}/postmortem"
    api.post(url, json=SECTIONS)
    api.post(url + "/publish")
    api.patch(url, json={"impact": "15% of orders."})
    last = outbox("POSTMORTEM_UPDATED")[-1]
    assert last.public_payload["postmortem"]["impact"] == "15% of orders."


@pytest.mark.parametrize("body, field", [
    ({"summary": 5}, "summary"),
    ({"summary": "x" * 10_001}, "summary"),
    ({"status": "published"}, "status"),
    ({"author": "me"}, "author"),
    ({"lessons": "nul\x00"}, "lessons"),
])
def test_bad_postmortem_input(api, body, field):
    incident = make_incident(api)
    url = f"/api/incidents/{incident['id']}/postmortem"
    before = counts()
    problem = assert_problem(api.post(url, json=body), 422)
    assert field in problem["errors"]
    assert counts() == before
    api.post(url, json={})
    assert field in assert_problem(api.patch(url, json=body), 422)["errors"]


def test_unknown_incident_and_non_json(api):
    assert_problem(api.post("/api/incidents/999/postmortem", json={}), 404)
    assert_problem(api.patch("/api/incidents/999/postmortem", json={}), 404)
    assert_problem(api.post("/api/incidents/999/postmortem/publish"), 404)
    assert_problem(api.get("/api/incidents/999/postmortem/export"), 404)
    incident = make_incident(api)
    assert_problem(api.post(f"/api/incidents/{incident['id']}/postmortem", data="x",
                            headers={"Content-Type": "text/plain"}), 415)
    assert_problem(api.post(f"/api/incidents/{incident['id']}/postmortem", data="{",
                            headers={"Content-Type": "application/json"}), 400)


def test_roles(api, api_as):
    incident = resolved_incident(api)
    url = f"/api/incidents/{incident['id']}/postmortem"
    viewer, responder = api_as("viewer"), api_as("responder")
    assert_problem(viewer.post(url, json={}), 403)
    assert responder.post(url, json=SECTIONS).status_code == 201
    assert_problem(viewer.patch(url, json={"summary": "x"}), 403)
    assert_problem(viewer.post(url + "/publish"), 403)
    assert viewer.get(url).status_code == 200
    assert responder.post(url + "/publish").status_code == 200


def test_anonymous_is_401(anon, api):
    incident = make_incident(api)
    assert_problem(anon.get(f"/api/incidents/{incident['id']}/postmortem"), 401)


def test_idempotency_key_replays_publish(api):
    incident = resolved_incident(api)
    url = f"/api/incidents/{incident['id']}/postmortem"
    api.post(url, json=SECTIONS)
    first = api.post(url + "/publish", headers={"Idempotency-Key": "pub-1"})
    again = api.post(url + "/publish", headers={"Idempotency-Key": "pub-1"})
    assert again.headers["Idempotent-Replayed"] == "true" and again.json == first.json


def test_rolled_back_publish_leaves_no_audit_or_event(api):
    incident = resolved_incident(api)
    api.post(f"/api/incidents/{incident['id']}/postmortem", json=SECTIONS)
    before = counts()
    postmortems.publish(SYSTEM, incident["id"])
    db.session.flush()
    db.session.rollback()
    assert counts() == before
    assert postmortems.get(incident["id"]).status == "draft"


def test_export_markdown(api):
    component = make_component(api, "Checkout")
    incident = make_incident(api, title="Checkout | errors", severity="SEV1",
                             components=[{"id": component["id"], "status": "major_outage"}])
    iid = incident["id"]
    api.post(f"/api/incidents/{iid}/transition", json={"to": "identified", "message": "Bad push"})
    api.post(f"/api/incidents/{iid}/updates", json={
        "body": "Rollback started", "visibility": "internal",
        "components": [{"id": component["id"], "status": "degraded_performance"}]})
    api.post(f"/api/incidents/{iid}/transition", json={"to": "resolved", "message": "All good"})
    url = f"/api/incidents/{iid}/postmortem"
    api.post(url, json=SECTIONS)
    api.post(url + "/action-items", json={"title": "Canary | configs", "owner": "Rui",
                                          "due_date": "2026-12-01", "priority": "high"})
    response = api.get(url + "/export")
    assert response.status_code == 200
    assert response.mimetype == "text/markdown"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="incident-{iid}-postmortem.md"'
    text = response.get_data(as_text=True)
    assert text.startswith("# Postmortem: Checkout | errors\n")
    assert "- **Severity:** SEV1" in text and "- **Duration:** " in text
    for title, value in (("Summary", SECTIONS["summary"]), ("Root cause", SECTIONS["root_cause"]),
                         ("Lessons learned", SECTIONS["lessons"])):
        assert f"## {title}\n\n{value}\n" in text
    assert "| identified | Admin (token tests) | Bad push |" in text
    assert "[internal] Rollback started (components: Checkout: major_outage → " \
           "degraded_performance)" in text
    assert " UTC | resolved | Admin (token tests) | All good |" in text
    assert "| Canary \\| configs | Rui | 2026-12-01 | high | open |" in text
