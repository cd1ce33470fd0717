"""Incident lifecycle through the API."""
import itertools

import pytest

from statuspage.domain.statuses import INCIDENT_STATUSES
from statuspage.extensions import db
from statuspage.models import AuditEvent, OutboxEvent

from ..conftest import make_component, make_incident

# A valid path from a new incident (investigating) to each status.
PATH_TO = {
    "investigating": [],
    "identified": ["identified"],
    "monitoring": ["monitoring"],
    "resolved": ["resolved"],
}


def drive(api, incident_id, statuses):
    for status in statuses:
        response = api.post(f"/api/incidents/{incident_id}/transition", json={"to": status})
        assert response.status_code == 200, response.json


def test_create_returns_incident_with_timeline_and_writes_audit_and_outbox(api):
    component = make_component(api, "Database")
    incident = make_incident(api, summary="Errors on **checkout**", tags=["Payments", "db"],
                             components=[{"id": component["id"], "status": "major_outage"}])
    assert incident["status"] == "investigating"
    assert incident["severity"] == "SEV2" and incident["impact"] == "major"
    assert incident["tags"] == ["db", "payments"]
    assert incident["components"] == [{"id": component["id"], "name": "Database", "status": "major_outage"}]
    assert incident["allowed_transitions"] == ["identified", "monitoring", "resolved"]
    assert [u["kind"] for u in incident["updates"]] == ["created"]
    assert api.get(f"/api/components/{component['id']}").json["status"] == "major_outage"
    audit = db.session.query(AuditEvent).filter_by(action="incident.created").one()
    assert audit.target_id == str(incident["id"]) and audit.after["title"] == "Checkout errors"
    types = [e.event_type for e in db.session.query(OutboxEvent).order_by(OutboxEvent.id)]
    assert types[-1] == "INCIDENT_CREATED"


@pytest.mark.parametrize("current,target", list(itertools.product(INCIDENT_STATUSES, repeat=2)))
def test_transition_matrix(api, current, target):
    incident = make_incident(api)
    drive(api, incident["id"], PATH_TO[current])
    response = api.post(f"/api/incidents/{incident['id']}/transition", json={"to": target, "message": "m"})
    allowed = {"investigating": ["identified", "monitoring", "resolved"],
               "identified": ["monitoring", "resolved"], "monitoring": ["resolved"],
               "resolved": ["investigating"]}[current]
    if target in allowed:
        assert response.status_code == 200
        assert response.json["status"] == target
    else:
        assert response.status_code == 409
        assert response.headers["Content-Type"] == "application/problem+json"
        assert response.json["allowed"] == allowed
        assert api.get(f"/api/incidents/{incident['id']}").json["status"] == current


def test_transitions_stamp_times_write_timeline_and_count_reopens(api):
    incident = make_incident(api)
    drive(api, incident["id"], ["identified", "monitoring", "resolved"])
    body = api.get(f"/api/incidents/{incident['id']}").json
    assert body["identified_at"] and body["monitoring_at"] and body["resolved_at"]
    assert [u["status"] for u in body["updates"]] == ["investigating", "identified", "monitoring", "resolved"]
    drive(api, incident["id"], ["investigating"])
    body = api.get(f"/api/incidents/{incident['id']}").json
    assert body["reopen_count"] == 1 and body["resolved_at"] is None
    assert body["allowed_transitions"] == ["identified", "monitoring", "resolved"]


def test_resolving_restores_components_unless_another_incident_holds_them(api):
    db_component = make_component(api, "Database")
    web = make_component(api, "Web")
    first = make_incident(api, components=[{"id": db_component["id"], "status": "major_outage"},
                                           {"id": web["id"], "status": "degraded_performance"}])
    make_incident(api, components=[{"id": db_component["id"], "status": "partial_outage"}])
    drive(api, first["id"], ["resolved"])
    assert api.get(f"/api/components/{web['id']}").json["status"] == "operational"
    assert api.get(f"/api/components/{db_component['id']}").json["status"] == "partial_outage"
    drive(api, first["id"], ["investigating"])  # reopening re-applies the impact
    assert api.get(f"/api/components/{web['id']}").json["status"] == "degraded_performance"


def test_patch_edits_fields_and_refuses_status(api):
    incident = make_incident(api)
    response = api.patch(f"/api/incidents/{incident['id']}",
                         json={"title": "Payments down", "severity": "SEV1", "tags": ["x"]})
    assert response.status_code == 200
    assert (response.json["title"], response.json["severity"], response.json["tags"]) == ("Payments down", "SEV1", ["x"])
    refused = api.patch(f"/api/incidents/{incident['id']}", json={"status": "resolved"})
    assert refused.status_code == 400
    assert refused.json["transition_url"] == f"/api/incidents/{incident['id']}/transition"
    assert api.get(f"/api/incidents/{incident['id']}").json["status"] == "investigating"
    audit = db.session.query(AuditEvent).filter_by(action="incident.updated").one()
    assert audit.before == {"title": "Checkout errors", "severity": "SEV2", "tags": []}


def test_updates_are_listed_in_order_with_visibility(api):
    incident = make_incident(api)
    first = api.post(f"/api/incidents/{incident['id']}/updates", json={"body": "Looking into it"})
    second = api.post(f"/api/incidents/{incident['id']}/updates",
                      json={"body": "Internal: rollback started", "visibility": "internal"})
    assert first.status_code == second.status_code == 201
    listing = api.get(f"/api/incidents/{incident['id']}/updates").json
    assert [u["body"] for u in listing["items"]][1:] == ["Looking into it", "Internal: rollback started"]
    assert listing["items"][2]["visibility"] == "internal"
    assert listing["total"] == 3


def test_update_can_move_components(api):
    component = make_component(api, "CDN")
    incident = make_incident(api)
    response = api.post(f"/api/incidents/{incident['id']}/updates", json={
        "body": "CDN degraded", "components": [{"id": component["id"], "status": "degraded_performance"}]})
    assert response.json["components"] == [{"id": component["id"], "name": "CDN",
                                             "old_status": "operational", "new_status": "degraded_performance"}]
    assert api.get(f"/api/incidents/{incident['id']}").json["components"][0]["status"] == "degraded_performance"


def test_list_filters_and_pagination(api):
    component = make_component(api)
    a = make_incident(api, title="Login broken", severity="SEV1", tags=["auth"])
    make_incident(api, title="Slow search", severity="SEV3", tags=["search"],
                  components=[{"id": component["id"], "status": "degraded_performance"}])
    c = make_incident(api, title="Old thing", severity="SEV4")
    drive(api, c["id"], ["resolved"])

    def titles(**params):
        return [i["title"] for i in api.get("/api/incidents", query_string=params).json["items"]]

    assert titles(q="login") == ["Login broken"]
    assert titles(severity="SEV3") == ["Slow search"]
    assert titles(tag="auth") == ["Login broken"]
    assert titles(component=component["id"]) == ["Slow search"]
    assert titles(status="resolved") == ["Old thing"]
    assert set(titles(status="active")) == {"Login broken", "Slow search"}
    page = api.get("/api/incidents", query_string={"per_page": 2, "page": 2}).json
    assert (page["total"], page["pages"], page["page"], len(page["items"])) == (3, 2, 2, 1)
    assert page["items"][0]["id"] == a["id"]  # newest first


def test_unknown_incident_is_404_problem(api):
    response = api.get("/api/incidents/999")
    assert response.status_code == 404
    assert response.json["title"] == "Not found"


@pytest.mark.parametrize("q, found", [
    ("%", ["100% done"]), ("_", ["a_b"]), ("0%", ["100% done"]), ("\\", ["back\\slash"]),
    ("100", ["100% done", "1000 errors"]),
])
def test_search_matches_like_wildcards_literally(api, q, found):
    for title in ("1000 errors", "100% done", "a_b", "aXb", "back\\slash"):
        make_incident(api, title=title)
    items = api.get("/api/incidents", query_string={"q": q}).json["items"]
    assert sorted(i["title"] for i in items) == sorted(found)


def test_subscriber_search_matches_like_wildcards_literally(api):
    from tests.helpers_subs import make_subscriber

    make_subscriber("under_score@example.com")
    make_subscriber("underxscore@example.com")
    items = api.get("/api/subscribers", query_string={"q": "under_"}).json["items"]
    assert [s["email"] for s in items] == ["under_score@example.com"]
    assert api.get("/api/subscribers", query_string={"q": "%"}).json["items"] == []
