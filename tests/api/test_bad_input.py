"""Bad input of any kind: a clear 4xx problem+json, and nothing changes."""
import pytest

from statuspage.extensions import db
from statuspage.models import AuditEvent, Incident, IncidentUpdate, OutboxEvent

from ..conftest import make_component, make_incident


def state():
    return tuple(db.session.query(m).count() for m in (Incident, IncidentUpdate, AuditEvent, OutboxEvent))


def assert_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json
    assert body["status"] == status and body["title"] and body["type"].startswith("https://")
    return body


CREATE_CASES = [
    ({"severity": "SEV1"}, "title"),
    ({"title": "t"}, "severity"),
    ({"title": "", "severity": "SEV1"}, "title"),
    ({"title": "x" * 201, "severity": "SEV1"}, "title"),
    ({"title": "t", "severity": "SEV1", "summary": "x" * 10_001}, "summary"),
    ({"title": "t", "severity": "SEV9"}, "severity"),
    ({"title": 12, "severity": "SEV1"}, "title"),
    ({"title": ["t"], "severity": "SEV1"}, "title"),
    ({"title": "t", "severity": "SEV1", "visibility": "secret"}, "visibility"),
    ({"title": "t", "severity": "SEV1", "tags": "not-a-list"}, "tags"),
    ({"title": "t", "severity": "SEV1", "tags": ["<script>"]}, "tags"),
    ({"title": "t", "severity": "SEV1", "colour": "red"}, "colour"),
    ({"title": "t\x00", "severity": "SEV1"}, "title"),
    ({"title": "\ud800", "severity": "SEV1"}, "title"),
    ({"title": "t", "severity": "SEV1", "components": [{"id": "1", "status": "major_outage"}]}, "components"),
    ({"title": "t", "severity": "SEV1", "components": [{"id": 1, "status": "melted"}]}, "components"),
    ({"title": "t", "severity": "SEV1", "components": [{"id": 2**40, "status": "major_outage"}]}, "components"),
    ({"title": "t", "severity": "SEV1", "components": [{"id": 999, "status": "major_outage"}]}, "components"),
    ({"title": "t", "severity": "SEV1", "commander_id": 999}, "commander_id"),
    ({"title": "t", "severity": "SEV1", "next_update_at": "tomorrow"}, "next_update_at"),
    ({"title": "t", "severity": "SEV1", "template_id": 999}, "template_id"),
]


@pytest.mark.parametrize("body,field", CREATE_CASES)
def test_invalid_create_bodies_are_422_with_field_errors(api, body, field):
    make_component(api)
    before = state()
    problem = assert_problem(api.post("/api/incidents", json=body), 422)
    assert field in problem["errors"], problem
    assert state() == before


@pytest.mark.parametrize("raw,content_type,status", [
    (b"{not json", "application/json", 400),
    (b"", "application/json", 400),
    (b'["a list"]', "application/json", 422),
    (b'"a string"', "application/json", 422),
    (b"null", "application/json", 400),
    (b"title=t&severity=SEV1", "application/x-www-form-urlencoded", 415),
    (b'{"title":"t","severity":"SEV1"}', "text/plain", 415),
    (b"\xff\xfe\x00", "application/json", 400),
])
def test_malformed_requests(api, raw, content_type, status):
    before = state()
    assert_problem(api.post("/api/incidents", data=raw, headers={"Content-Type": content_type}), status)
    assert state() == before


def test_invalid_transition_and_update_bodies(api):
    incident = make_incident(api)
    before = state()
    base = f"/api/incidents/{incident['id']}"
    assert "to" in assert_problem(api.post(f"{base}/transition", json={}), 422)["errors"]
    assert "to" in assert_problem(api.post(f"{base}/transition", json={"to": "done"}), 422)["errors"]
    assert "message" in assert_problem(api.post(f"{base}/transition", json={"to": "resolved", "message": "x" * 10_001}), 422)["errors"]
    assert "body" in assert_problem(api.post(f"{base}/updates", json={"body": ""}), 422)["errors"]
    assert "body" in assert_problem(api.post(f"{base}/updates", json={}), 422)["errors"]
    assert "visibility" in assert_problem(api.post(f"{base}/updates", json={"body": "b", "visibility": "x"}), 422)["errors"]
    assert state() == before


@pytest.mark.parametrize("path", [
    "/api/incidents/999", "/api/incidents/0", "/api/incidents/-1", "/api/incidents/abc",
    "/api/incidents/99999999999999999999", "/api/incidents/999/updates", "/api/components/999",
])
def test_unknown_ids_are_404(api, path):
    assert_problem(api.get(path), 404)


def test_writes_to_unknown_ids_are_404_and_change_nothing(api):
    before = state()
    assert_problem(api.post("/api/incidents/999/transition", json={"to": "resolved"}), 404)
    assert_problem(api.post("/api/incidents/999/updates", json={"body": "b"}), 404)
    assert_problem(api.patch("/api/incidents/999", json={"title": "t"}), 404)
    assert state() == before


@pytest.mark.parametrize("params", [{"per_page": 101}, {"per_page": 0}, {"page": 0}, {"page": "x"},
                                    {"status": "nope"}, {"severity": "SEV0"}, {"component": "x"},
                                    {"q": "x" * 201}])
def test_bad_list_parameters(api, params):
    assert_problem(api.get("/api/incidents", query_string=params), 422)


def test_wrong_method_and_unknown_route_are_problems(api):
    assert_problem(api.delete("/api/incidents"), 405)
    assert_problem(api.get("/api/nothing-here"), 404)
