"""The postmortem editor: draft, preview (form and JSON), publish, action items, export."""
from __future__ import annotations

from statuspage.extensions import db
from statuspage.models import ActionItem, Postmortem
from tests.conftest import make_incident
from tests.helpers import audit_actions, outbox


def _postmortem(incident_id):
    db.session.expire_all()
    return db.session.query(Postmortem).filter_by(incident_id=incident_id).one_or_none()


def test_start_save_and_publish(console, api):
    incident_id = make_incident(api)["id"]
    assert "Start postmortem" in console.get(f"/admin/incidents/{incident_id}").text
    response = console.post(f"/admin/incidents/{incident_id}/postmortem",
                            {"summary": "DB failover", "impact": "", "root_cause": "Disk", "resolution": "",
                             "lessons": ""})
    assert response.status_code == 303 and response.location.endswith("#postmortem")
    assert (_postmortem(incident_id).summary, _postmortem(incident_id).status) == ("DB failover", "draft")
    console.post(f"/admin/incidents/{incident_id}/postmortem", {"impact": "All EU customers"})
    assert _postmortem(incident_id).impact == "All EU customers"
    html = console.get(f"/admin/incidents/{incident_id}").text
    assert "Resolve the incident to publish" in html
    early = console.post(f"/admin/incidents/{incident_id}/postmortem/publish")
    assert early.status_code == 409 and "resolve it before publishing" in early.text
    api.post(f"/api/incidents/{incident_id}/transition", json={"to": "resolved"})
    assert console.post(f"/admin/incidents/{incident_id}/postmortem/publish").status_code == 303
    assert _postmortem(incident_id).status == "published"
    assert [e.event_type for e in outbox("POSTMORTEM_PUBLISHED")] == ["POSTMORTEM_PUBLISHED"]
    assert audit_actions("postmortem") == ["postmortem.created", "postmortem.updated", "postmortem.published"]
    assert "Published <time" in console.get(f"/admin/incidents/{incident_id}").text


def test_preview_without_javascript_saves_nothing(console, api):
    incident_id = make_incident(api)["id"]
    response = console.post(f"/admin/incidents/{incident_id}/postmortem",
                            {"summary": "**bold** <script>alert(1)</script>", "action": "preview"})
    assert response.status_code == 200
    assert "<strong>bold</strong>" in response.text and "<script>alert(1)" not in response.text
    assert "**bold**" in response.text  # the unsaved text stays in the editor
    assert _postmortem(incident_id) is None


def test_json_preview_sanitises_and_needs_csrf(console):
    ok = console.client.post("/admin/preview", json={"text": "# T\n[x](javascript:alert(1)) <img src=x onerror=1>"},
                             headers={"X-CSRFToken": console.csrf()})
    assert ok.status_code == 200
    html = ok.json["html"]
    assert "<h3>T</h3>" in html and 'href="javascript' not in html and "<img" not in html
    assert console.client.post("/admin/preview", json={"text": "x"}).status_code == 400
    bad = console.client.post("/admin/preview", json={"nope": 1}, headers={"X-CSRFToken": console.csrf()})
    assert bad.status_code == 400
    huge = console.client.post("/admin/preview", json={"text": "x" * 10_001}, headers={"X-CSRFToken": console.csrf()})
    assert huge.status_code == 400


def test_action_items_inline(console, api):
    incident_id = make_incident(api)["id"]
    console.post(f"/admin/incidents/{incident_id}/postmortem", {"summary": "s"})
    added = console.post(f"/admin/incidents/{incident_id}/action-items",
                         {"title": "Add disk alerts", "owner": "ops", "due_date": "2030-01-31", "priority": "high"})
    assert added.status_code == 303 and added.location.endswith("#action-items")
    item = db.session.query(ActionItem).one()
    assert (item.title, item.owner, item.due_date.isoformat(), item.priority, item.status) == (
        "Add disk alerts", "ops", "2030-01-31", "high", "open")
    console.post(f"/admin/action-items/{item.id}", {"title": "Add disk alerts", "owner": "sre", "due_date": "",
                                                   "priority": "high", "status": "in_progress"})
    db.session.expire_all()
    item = db.session.get(ActionItem, item.id)
    assert (item.owner, item.due_date, item.status) == ("sre", None, "in_progress")
    html = console.get(f"/admin/incidents/{incident_id}").text
    assert f'id="ai-{item.id}-title"' in html and 'value="sre"' in html
    assert console.post(f"/admin/action-items/{item.id}", {"priority": "urgent"}).status_code == 422
    assert console.post(f"/admin/action-items/{item.id}/delete").status_code == 303
    assert db.session.query(ActionItem).count() == 0
    assert console.post(f"/admin/incidents/{incident_id}/action-items", {"title": ""}).status_code == 422


def test_action_items_need_a_postmortem(console, api):
    incident_id = make_incident(api)["id"]
    assert console.post(f"/admin/incidents/{incident_id}/action-items", {"title": "x"}).status_code == 404


def test_export_downloads_with_the_session(console, api):
    incident_id = make_incident(api, title="Disk full")["id"]
    console.post(f"/admin/incidents/{incident_id}/postmortem", {"summary": "Disk filled up"})
    html = console.get(f"/admin/incidents/{incident_id}").text
    assert f'href="/api/incidents/{incident_id}/postmortem/export" download' in html
    export = console.get(f"/api/incidents/{incident_id}/postmortem/export")
    assert export.status_code == 200 and export.mimetype == "text/markdown"
    assert "# Postmortem: Disk full" in export.text and "Disk filled up" in export.text


def test_viewer_reads_the_postmortem(console_as, api):
    incident_id = make_incident(api)["id"]
    api.post(f"/api/incidents/{incident_id}/postmortem", json={"summary": "Read *me*"})
    api.post(f"/api/incidents/{incident_id}/postmortem/action-items", json={"title": "Follow up"})
    html = console_as("viewer").get(f"/admin/incidents/{incident_id}").text
    assert "Read <em>me</em>" in html and "Follow up" in html and "<textarea" not in html
