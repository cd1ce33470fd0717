"""Incidents list, declaring an incident, and the incident page's forms."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from statuspage.extensions import db
from statuspage.models import AuditEvent, Incident, IncidentUpdate
from tests.conftest import make_component, make_incident
from tests.helpers import audit_actions, counts, outbox


def _incident(incident_id) -> Incident:
    db.session.expire_all()
    return db.session.get(Incident, incident_id)


def test_list_shows_analytics_chips_badges_and_tags(console, api):
    make_incident(api, title="Checkout down", severity="SEV1", tags=["payments"])
    resolved = make_incident(api, title="Old one", severity="SEV3")
    api.post(f"/api/incidents/{resolved['id']}/transition", json={"to": "resolved"})
    html = console.get("/admin/incidents").text
    assert 'id="stat-active">1<' in html and 'id="stat-resolved">1<' in html
    assert 'aria-label="Incidents by severity: SEV1: 1, SEV2: 0, SEV3: 1, SEV4: 0"' in html
    assert '<span class="chip chip-sev" data-severity="SEV1">SEV1</span>' in html
    assert '<span class="badge" data-status="investigating">Investigating</span>' in html
    assert 'href="/admin/incidents?tag=payments"' in html


@pytest.mark.parametrize("query, shown, hidden", [
    ("q=checkout", ["Checkout down"], ["DNS flaps"]),
    ("status=resolved", ["DNS flaps"], ["Checkout down"]),
    ("status=active", ["Checkout down"], ["DNS flaps"]),
    ("severity=SEV4", ["DNS flaps"], ["Checkout down"]),
    ("tag=payments", ["Checkout down"], ["DNS flaps"]),
    ("tag=payments&severity=SEV4", [], ["Checkout down", "DNS flaps"]),
])
def test_filters_live_in_the_url(console, api, query, shown, hidden):
    make_incident(api, title="Checkout down", severity="SEV1", tags=["payments"])
    dns = make_incident(api, title="DNS flaps", severity="SEV4")
    api.post(f"/api/incidents/{dns['id']}/transition", json={"to": "resolved"})
    html = console.get(f"/admin/incidents?{query}").text
    table = html.split('id="incident-table"')[1]
    for title in shown:
        assert title in table
    for title in hidden:
        assert title not in table
    for key, value in (pair.split("=") for pair in query.split("&")):
        assert re.search(rf'name="{key}"[^>]*value="{value}"|value="{value}" selected', html), key


def test_bad_filters_are_a_clear_422(console):
    response = console.get("/admin/incidents?severity=SEV9")
    assert response.status_code == 422
    assert "severity" in response.text


def test_pagination_keeps_filters(console, api):
    for n in range(27):
        make_incident(api, title=f"Incident {n}", severity="SEV2")
    html = console.get("/admin/incidents?severity=SEV2").text
    assert "Page 1 of 2" in html
    assert 'href="/admin/incidents?severity=SEV2&amp;page=2"' in html
    assert "Incident 0" in console.get("/admin/incidents?severity=SEV2&page=2").text


def test_create_incident_by_plain_form(console, api):
    component = make_component(api, "API")
    response = console.post("/admin/incidents/new", {
        "title": "Payments failing", "severity": "SEV1", "summary": "We are *looking*.",
        "tags": "payments, eu", "visibility": "public", "notify": "on",
        f"impact-{component['id']}": "major_outage"})
    assert response.status_code == 303
    incident_id = int(response.location.rsplit("/", 1)[1])
    incident = _incident(incident_id)
    assert (incident.title, incident.severity, incident.tags) == ("Payments failing", "SEV1", ["eu", "payments"])
    assert [(c.component_id, c.status) for c in incident.components] == [(component["id"], "major_outage")]
    created = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "incident.created")).one()
    assert (created.actor_type, created.actor_id) == ("user", console.user.id)
    assert [e.event_type for e in outbox("INCIDENT_CREATED")] == ["INCIDENT_CREATED"]
    page = console.get(response.location).text
    assert "Payments failing" in page and "<em>looking</em>" in page


def test_create_incident_from_a_template(console, api):
    template = api.post("/api/templates", json={"name": "DB", "title": "Database slow", "severity": "SEV2",
                                                "body": "Queries are slow."}).json
    response = console.post("/admin/incidents/new", {"template_id": str(template["id"]), "title": "",
                                                     "severity": ""})
    assert response.status_code == 303
    incident = _incident(int(response.location.rsplit("/", 1)[1]))
    assert (incident.title, incident.severity, incident.summary) == ("Database slow", "SEV2", "Queries are slow.")


def test_create_incident_errors_re_render_the_form(console, api):
    component = make_component(api, "API")
    before = counts()
    response = console.post("/admin/incidents/new", {"title": "Kept", "severity": "",
                                                     f"impact-{component['id']}": "major_outage"})
    assert response.status_code == 422
    assert 'value="Kept"' in response.text and 'aria-invalid="true"' in response.text
    assert '<option value="major_outage" selected>' in response.text
    bad = console.post("/admin/incidents/new", {"title": "x", "severity": "SEV1", "impact-abc": "major_outage"})
    assert bad.status_code == 422
    assert console.post("/admin/incidents/new", {"title": "x", "severity": "SEV1",
                                                 "template_id": "999"}).status_code == 422
    assert counts() == before


def test_create_page_without_javascript(console):
    html = console.get("/admin/incidents/new").text
    assert 'action="/admin/incidents/new"' in html and 'name="title"' in html


def test_detail_shows_only_allowed_transitions_and_timeline(console, api):
    incident = make_incident(api, title="Queue stuck", summary="Looking.")
    html = console.get(f"/admin/incidents/{incident['id']}").text
    choices = re.findall(r'name="status" value="(\w+)"', html)
    assert choices == ["investigating", "identified", "monitoring", "resolved"]  # current first
    assert '<span class="avatar" aria-hidden="true">' in html and "UTC</time>" in html
    assert console.get("/admin/incidents/999").status_code == 404


def test_lifecycle_through_the_forms(console, api):
    incident_id = make_incident(api)["id"]
    for to in ("identified", "monitoring", "resolved"):
        response = console.post(f"/admin/incidents/{incident_id}/compose",
                                {"status": to, "body": f"now {to}", "notify": "on"})
        assert response.status_code == 303 and response.location.endswith("#timeline")
    assert _incident(incident_id).status == "resolved"
    html = console.get(f"/admin/incidents/{incident_id}").text
    assert re.findall(r'name="status" value="(\w+)"', html) == ["resolved", "investigating"]
    refused = console.post(f"/admin/incidents/{incident_id}/compose", {"status": "monitoring"})
    assert refused.status_code == 409 and "cannot move" in refused.text
    internal = console.post(f"/admin/incidents/{incident_id}/compose",
                            {"status": "investigating", "visibility": "internal"})
    assert internal.status_code == 303
    assert _incident(incident_id).updates[-1].visibility == "internal"


def test_post_public_and_internal_updates(console, api):
    component = make_component(api, "API")
    incident_id = make_incident(api)["id"]
    console.post(f"/admin/incidents/{incident_id}/compose", {"body": "Public note", "visibility": "public",
                                                            "notify": "on"})
    console.post(f"/admin/incidents/{incident_id}/compose", {
        "body": "Internal note", "visibility": "internal", f"impact-{component['id']}": "degraded_performance"})
    db.session.expire_all()
    rows = db.session.scalars(select(IncidentUpdate).where(IncidentUpdate.incident_id == incident_id,
                                                           IncidentUpdate.kind == "update")
                              .order_by(IncidentUpdate.id)).all()
    assert [(r.body, r.visibility, r.notify) for r in rows] == [("Public note", "public", True),
                                                                 ("Internal note", "internal", False)]
    assert rows[1].component_changes[0].new_status == "degraded_performance"
    html = console.get(f"/admin/incidents/{incident_id}").text
    assert "Internal note" in html and 'class="entry internal"' in html
    empty = console.post(f"/admin/incidents/{incident_id}/compose", {"body": ""})
    assert empty.status_code == 422


def test_update_from_a_template(console, api):
    template = api.post("/api/templates", json={"kind": "update", "name": "Fix", "body": "Fix deployed."}).json
    incident_id = make_incident(api)["id"]
    assert console.post(f"/admin/incidents/{incident_id}/compose",
                        {"template_id": str(template["id"]), "body": ""}).status_code == 303
    assert _incident(incident_id).updates[-1].body == "Fix deployed."


def test_affected_components_editor_and_details(console, api):
    api_c, web = make_component(api, "API"), make_component(api, "Web")
    incident_id = make_incident(api, components=[{"id": api_c["id"], "status": "major_outage"}])["id"]
    response = console.post(f"/admin/incidents/{incident_id}/components",
                            {f"impact-{web['id']}": "partial_outage", f"impact-{api_c['id']}": ""})
    assert response.status_code == 303
    assert [(c.component_id, c.status) for c in _incident(incident_id).components] == [(web["id"], "partial_outage")]
    console.post(f"/admin/incidents/{incident_id}/details", {"title": "Renamed", "severity": "SEV3",
                                                             "visibility": "internal", "tags": "a, b"})
    incident = _incident(incident_id)
    assert (incident.title, incident.severity, incident.visibility, incident.tags) == (
        "Renamed", "SEV3", "internal", ["a", "b"])
    assert "incident.updated" in audit_actions("incident")


def test_detail_shows_audience_and_deliveries(console, api, app):
    from statuspage.models import Subscriber, utcnow
    incident = make_incident(api)
    db.session.add_all([Subscriber(email="all@example.com", scope="all", confirmed_at=utcnow()),
                        Subscriber(email="one@example.com", scope="incident", incident_id=incident["id"],
                                   confirmed_at=utcnow()),
                        Subscriber(email="pending@example.com", scope="all")])
    db.session.commit()
    html = console.get(f"/admin/incidents/{incident['id']}").text
    assert '<strong id="audience-total">2</strong> subscribers hear' in html
    assert "1 follow it, 1 follow everything" in html


@pytest.mark.parametrize("role, sees_addresses", [
    ("viewer", False), ("responder", False), ("admin", True)])
def test_delivery_recipients_are_shown_to_admins_only(console_as, api, role, sees_addresses):
    from statuspage.models import EmailDelivery, utcnow
    incident = make_incident(api)
    event_id = outbox("INCIDENT_CREATED")[0].id
    db.session.add_all([EmailDelivery(kind="notification", to_address=address, subject="Update",
                                      status=status, event_id=event_id,
                                      created_at=utcnow(), updated_at=utcnow())
                        for address, status in (("reader.one@example.com", "SENT"),
                                                ("reader.two@example.com", "FAILED"))])
    db.session.commit()
    html = console_as(role).get(f"/admin/incidents/{incident['id']}").text
    audience = html.split('id="audience"')[1].split("</section>")[0]
    assert 'data-delivery-status="SENT">sent: 1' in audience  # everyone sees the counts
    assert 'data-delivery-status="FAILED">failed: 1' in audience
    assert ("reader.one@example.com" in html) is sees_addresses
    assert ("reader.two@example.com" in html) is sees_addresses


def test_console_refuses_a_multi_line_title(console):
    before = counts()
    page = console.post("/admin/incidents/new", {"title": "Two\nlines", "severity": "SEV3"})
    assert page.status_code == 422
    assert counts() == before
