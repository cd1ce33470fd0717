"""Alerts in: payload kinds, mapping, worst status, dedup, human override, incidents."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from statuspage.extensions import db
from statuspage.models import AuditEvent, ComponentStatusChange, Incident, Integration
from tests.conftest import make_component
from tests.helpers import assert_problem, outbox
from tests.integrations.alert_payloads import alertmanager, am_alert, grafana

BASE = "http://status.test"


def make_source(api, kind="alertmanager", **fields) -> dict:
    response = api.post("/api/integrations", json={"kind": kind, "name": f"{kind} prod", **fields})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["ingest_url"].startswith(f"{BASE}/api/hooks/{kind}/spi_")
    return body


def hook_path(source: dict) -> str:
    return source["ingest_url"][len(BASE):]


def post(anon, source, body) -> dict:
    response = anon.post(hook_path(source), json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def status_of(api, component) -> str:
    return api.get(f"/api/components/{component['id']}").json["status"]


def test_create_shows_the_ingest_url_once_and_keeps_only_a_hash(api):
    source = make_source(api)
    secret = source["ingest_url"].rsplit("/", 1)[1]
    row = db.session.get(Integration, source["id"])
    assert row.secret_encrypted is None and secret not in row.secret_hash
    again = api.get(f"/api/integrations/{source['id']}").json
    assert "ingest_url" not in again and secret not in json.dumps(again)
    assert source["config"]["severity_map"]["critical"] == "major_outage"


def test_alertmanager_firing_then_resolved_moves_the_component_and_back(api, anon):
    component = make_component(api, name="API")
    source = make_source(api)
    result = post(anon, source, alertmanager(am_alert(component="api")))
    assert result["problems"] == [] and result["changes"][0]["to"] == "major_outage"
    assert status_of(api, component) == "major_outage"
    post(anon, source, alertmanager(am_alert(status="resolved", component="api")))
    assert status_of(api, component) == "operational"
    history = api.get(f"/api/components/{component['id']}/history").json["items"]
    assert [h["to_status"] for h in history][:2] == ["operational", "major_outage"]
    db.session.expire_all()
    audit = db.session.scalars(select(AuditEvent).where(
        AuditEvent.target_type == "component", AuditEvent.action == "component.updated"
    ).order_by(AuditEvent.id)).all()
    assert {a.actor_label for a in audit} == {f"integration:{source['id']}"}
    assert audit[0].after == {"status": "major_outage", "reason": "API errors above 5%"}
    assert len(outbox("COMPONENT_STATUS_CHANGED")) == 2  # firing, resolved


def test_grafana_payload_and_component_by_id(api, anon):
    component = make_component(api, name="Search")
    source = make_source(api, kind="grafana", component_label="service",
                         severity_map={"page": "partial_outage"})
    alert = am_alert(component="x", severity="page", service=str(component["id"]))
    assert post(anon, source, grafana(alert))["problems"] == []
    assert status_of(api, component) == "partial_outage"
    post(anon, source, grafana({**alert, "status": "resolved"}))
    assert status_of(api, component) == "operational"


def test_generic_webhook(api, anon):
    component = make_component(api, name="Billing")
    source = make_source(api, kind="webhook")
    body = {"component": "billing", "status": "degraded_performance", "message": "Slow invoices",
            "dedup_key": "inv"}
    assert post(anon, source, body)["changes"][0]["to"] == "degraded_performance"
    post(anon, source, {**body, "status": "operational"})
    assert status_of(api, component) == "operational"


def test_worst_firing_alert_wins_and_the_last_resolution_restores(api, anon):
    component = make_component(api, name="API")
    source = make_source(api)
    post(anon, source, alertmanager(am_alert(fingerprint="a", severity="warning")))
    assert status_of(api, component) == "degraded_performance"
    post(anon, source, alertmanager(am_alert(fingerprint="b", severity="critical")))
    assert status_of(api, component) == "major_outage"
    post(anon, source, alertmanager(am_alert(fingerprint="a", severity="warning")))  # repeat
    assert status_of(api, component) == "major_outage"
    post(anon, source, alertmanager(am_alert(status="resolved", fingerprint="b")))
    assert status_of(api, component) == "degraded_performance"
    post(anon, source, alertmanager(am_alert(status="resolved", fingerprint="a")))
    assert status_of(api, component) == "operational"


def test_problems_are_answered_200_listed_and_kept(api, anon):
    make_component(api, name="API")
    source = make_source(api)
    result = post(anon, source, alertmanager(am_alert(component="nope"),
                                             am_alert(fingerprint="x", severity="bogus")))
    assert "Unknown component 'nope'." in result["problems"]
    assert any("'bogus' is not in the severity map" in p for p in result["problems"])
    response = anon.client.post(hook_path(source), data=b"{not json",
                                headers={"Content-Type": "application/json"})
    assert response.status_code == 200 and response.json["problems"] == ["The body is not a JSON object."]
    payloads = api.get(f"/api/integrations/{source['id']}/payloads").json["items"]
    assert [p["outcome"] for p in payloads] == ["problems", "problems"]
    assert payloads[0]["excerpt"] == "{not json"
    listed = api.get(f"/api/integrations/{source['id']}").json
    assert listed["last_delivery_status"] == "problems" and "not a JSON object" in listed["last_error"]


@pytest.mark.parametrize("raw", ['{"alerts": ' + "[" * 40 + "]" * 40 + "}",
                                 "[" * 100_000 + "]" * 100_000])
def test_a_body_nested_too_deeply_is_kept_as_a_problem_like_any_body_not_json(api, anon, raw):
    source = make_source(api)
    response = anon.client.post(hook_path(source), data=raw.encode(),
                                headers={"Content-Type": "application/json"})
    assert response.status_code == 200 and response.json["problems"] == ["The body is not a JSON object."]
    assert [p["outcome"] for p in api.get(f"/api/integrations/{source['id']}/payloads").json["items"]] \
        == ["problems"]


def test_wrong_secret_unknown_kind_and_disabled_are_404(api, anon):
    source = make_source(api)
    assert_problem(anon.post("/api/hooks/alertmanager/spi_wrong", json={}), 404)
    assert_problem(anon.post(hook_path(source).replace("alertmanager", "grafana"), json={}), 404)
    api.patch(f"/api/integrations/{source['id']}", json={"enabled": False})
    assert_problem(anon.post(hook_path(source), json={}), 404)


def test_rotation_replaces_the_secret_and_bearer_tokens_work(api, api_as, anon):
    component = make_component(api, name="API")
    source = make_source(api)
    rotated = api.post(f"/api/integrations/{source['id']}/rotate-secret").json
    assert rotated["ingest_url"] != source["ingest_url"]
    assert_problem(anon.post(hook_path(source), json={}), 404)
    assert post(anon, rotated, {})["problems"] == ["The body has no 'alerts' list."]
    responder = api_as("responder")
    response = responder.post(f"/api/integrations/{source['id']}/ingest",
                              json=alertmanager(am_alert()))
    assert response.status_code == 200 and status_of(api, component) == "major_outage"
    assert_problem(anon.post(f"/api/integrations/{source['id']}/ingest", json={}), 401)


def test_a_human_change_wins_over_later_alerts_of_the_same_group(api, anon):
    component = make_component(api, name="API")
    source = make_source(api)
    post(anon, source, alertmanager(am_alert(severity="warning")))
    api.patch(f"/api/components/{component['id']}", json={"status": "partial_outage"})
    post(anon, source, alertmanager(am_alert(severity="critical")))  # same alert, escalates
    assert status_of(api, component) == "partial_outage"
    post(anon, source, alertmanager(am_alert(status="resolved")))
    assert status_of(api, component) == "partial_outage"
    post(anon, source, alertmanager(am_alert(fingerprint="new")))  # a new episode may move it
    assert status_of(api, component) == "major_outage"


@pytest.fixture
def incident_source(api):
    return make_source(api, open_incident=True, incident_visibility="public")


def _incidents() -> list[Incident]:
    db.session.expire_all()
    return list(db.session.scalars(select(Incident).order_by(Incident.id)))


def test_open_incident_dedups_by_group_and_resolution_moves_it_to_monitoring(api, anon, incident_source):
    component = make_component(api, name="API")
    result = post(anon, incident_source, alertmanager(am_alert()))
    assert result["incidents"][0]["action"] == "opened"
    post(anon, incident_source, alertmanager(am_alert(), am_alert(fingerprint="fp2")))
    [incident] = _incidents()
    assert incident.title == "API errors above 5%" and incident.visibility == "public"
    assert incident.status == "investigating" and incident.severity == "SEV1"
    assert [c.component_id for c in incident.components] == [component["id"]]
    assert len(incident.updates) == 1
    post(anon, incident_source, alertmanager(am_alert(status="resolved")))
    assert _incidents()[0].status == "investigating"  # fp2 still fires
    post(anon, incident_source, alertmanager(am_alert(status="resolved", fingerprint="fp2")))
    [incident] = _incidents()
    assert incident.status == "monitoring" and len(incident.updates) == 2
    assert status_of(api, component) == "operational"


def test_an_incident_a_human_touched_is_left_alone(api, anon, incident_source):
    make_component(api, name="API")
    post(anon, incident_source, alertmanager(am_alert()))
    [incident] = _incidents()
    api.post(f"/api/incidents/{incident.id}/updates", json={"body": "We are on it."})
    post(anon, incident_source, alertmanager(am_alert(status="resolved")))
    assert _incidents()[0].status == "investigating"


def test_changes_reach_the_status_history_with_the_integration_as_actor(api, anon):
    component = make_component(api, name="API")
    source = make_source(api)
    post(anon, source, alertmanager(am_alert()))
    db.session.expire_all()
    change = db.session.scalars(select(ComponentStatusChange).where(
        ComponentStatusChange.component_id == component["id"]).order_by(
        ComponentStatusChange.id.desc())).first()
    assert change.actor_label == f"integration:{source['id']}" and change.to_status == "major_outage"


def test_oversized_bodies_are_refused_with_413(api, anon):
    source = make_source(api)
    response = anon.client.post(hook_path(source), data=b"x" * (1024 * 1024 + 1),
                                headers={"Content-Type": "application/json"})
    assert_problem(response, 413)


def test_disabling_or_deleting_an_integration_releases_what_its_alerts_held(api, anon):
    component = make_component(api, name="API")
    source = make_source(api)
    post(anon, source, alertmanager(am_alert()))
    api.patch(f"/api/integrations/{source['id']}", json={"enabled": False})
    assert status_of(api, component) == "operational"
    api.patch(f"/api/integrations/{source['id']}", json={"enabled": True})
    post(anon, source, alertmanager(am_alert(fingerprint="again")))
    assert status_of(api, component) == "major_outage"
    assert api.delete(f"/api/integrations/{source['id']}").status_code == 204
    assert status_of(api, component) == "operational"


def test_racing_deliveries_of_one_new_alert_group_each_get_200_and_open_one_incident(api, anon):
    import threading

    from statuspage.models import AlertSignal

    make_component(api, name="API")
    source = make_source(api, open_incident=True)
    body = alertmanager(am_alert(component="api"))
    statuses, start = [], threading.Barrier(6)

    def deliver():
        start.wait()
        statuses.append(anon.post(hook_path(source), json=body).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert statuses == [200] * 6
    db.session.expire_all()
    assert db.session.query(AlertSignal).count() == 1
    assert db.session.query(Incident).count() == 1
