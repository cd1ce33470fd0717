"""/api/public/* (our aggregate) and the Statuspage-compatible /api/v2/*.json."""
from datetime import timedelta

import pytest

from tests.conftest import make_component, make_incident
from tests.public.builders import make_maintenance, make_postmortem

PAGE_FIELDS = {"id", "name", "url", "time_zone", "updated_at"}
COMPONENT_FIELDS = {"id", "name", "status", "created_at", "updated_at", "position", "description", "showcase",
                    "start_date", "group_id", "page_id", "group", "only_show_if_degraded"}
INCIDENT_FIELDS = {"id", "name", "status", "impact", "created_at", "updated_at", "monitoring_at", "resolved_at",
                   "started_at", "shortlink", "page_id", "incident_updates", "components"}
UPDATE_FIELDS = {"id", "status", "body", "incident_id", "created_at", "updated_at", "display_at",
                 "affected_components", "deliver_notifications", "custom_tweet", "tweet_id"}
COMPONENT_STATUSES = {"operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"}


@pytest.fixture
def outage(api):
    group = api.post("/api/component-groups", json={"name": "Core"}).json
    a = make_component(api, "API", group_id=group["id"])
    make_component(api, "Web")
    incident = make_incident(api, title="API down", severity="SEV1", summary="Investigating.",
                             components=[{"id": a["id"], "status": "major_outage"}])
    api.post(f"/api/incidents/{incident['id']}/updates",
             json={"body": "Partially back.", "components": [{"id": a["id"], "status": "partial_outage"}]})
    return {"group": group, "api": a, "incident": incident}


def test_public_status_aggregate(anon, outage):
    body = anon.get("/api/public/status").json
    assert body["status"]["indicator"] == "major"
    assert "API: partial outage" in body["status"]["reasons"]
    component = next(c for c in body["components"] if c["name"] == "API")
    assert component["uptime_90"] is not None and component["status"] == "partial_outage"
    assert "days" not in component, "per-day uptime lives in the uptime document"
    assert body["uptime_url"] == "/api/public/uptime"
    assert body["incidents"][0]["latest_update"]["body"] == "Partially back."
    assert body["page"]["time_zone"] == "UTC"
    assert body["generated_at"].endswith("Z")
    assert body["last_event_id"]
    core = next(g for g in body["groups"] if g["id"])
    assert core["name"] == "Core" and core["component_ids"] == [outage["api"]["id"]]
    assert "components" not in core, "each component is listed once"
    today = body["history"][0]["incidents"]
    assert [(i["title"], i["severity"]) for i in today] == [("API down", "SEV1")]


def test_public_uptime_lists_only_the_days_worth_a_mark(anon, outage):
    status = anon.get("/api/public/status").json
    body = anon.get(status["uptime_url"]).json
    assert body["days"] == 90 and len(body["start"]) == 10
    by_id = {c["id"]: c for c in body["components"]}
    api = by_id[outage["api"]["id"]]
    assert 0 < api["uptime_90"] < 100  # down since the fixture, moments ago
    today = api["marked"][-1]
    assert today["index"] == 89 and today["level"] == "major_outage"
    assert [i["title"] for i in today["incidents"]] == ["API down"]
    assert all(m["index"] < 89 for m in api["marked"][:-1])
    web = next(c for c in body["components"] if c["id"] != outage["api"]["id"])
    assert all(m["level"] != "operational" or m["incidents"] or m["uptime"] != 100 for m in web["marked"])
    assert anon.get("/api/public/uptime").headers["ETag"]


def test_public_status_stays_small(anon, api):
    """Readers poll it during an outage: no per-day detail however many components."""
    for n in range(20):
        make_component(api, f"Component {n}")
    assert len(anon.get("/api/public/status").data) < 12_000


def test_public_incident_and_postmortem(anon, api, outage):
    iid = outage["incident"]["id"]
    body = anon.get(f"/api/public/incidents/{iid}").json
    assert [u["body"] for u in body["updates"]] == ["Partially back.", "Investigating."]
    assert body["postmortem_published_at"] is None
    assert anon.get(f"/api/public/incidents/{iid}/postmortem").status_code == 404
    make_postmortem(iid)
    pm = anon.get(f"/api/public/incidents/{iid}/postmortem").json
    assert [s["key"] for s in pm["sections"]] == ["summary", "root_cause", "resolution"]
    internal = make_incident(api, title="Hidden", visibility="internal")
    missing = anon.get(f"/api/public/incidents/{internal['id']}")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


def test_v2_summary_field_names_and_enums(anon, outage):
    body = anon.get("/api/v2/summary.json").json
    assert set(body) == {"page", "components", "incidents", "scheduled_maintenances", "status"}
    assert set(body["page"]) == PAGE_FIELDS
    assert body["page"]["url"] == "http://status.test/status"
    assert body["status"] == {"indicator": "major", "description": "Partial System Outage"}
    for c in body["components"]:
        assert COMPONENT_FIELDS <= set(c) and isinstance(c["id"], str)
        assert c["status"] in COMPONENT_STATUSES
    group = next(c for c in body["components"] if c["group"])
    api_c = next(c for c in body["components"] if c["name"] == "API")
    assert group["components"] == [api_c["id"]] and api_c["group_id"] == group["id"]
    assert group["status"] == "partial_outage"
    incident = body["incidents"][0]
    assert set(incident) == INCIDENT_FIELDS
    assert incident["impact"] == "critical" and incident["status"] == "investigating"
    assert incident["shortlink"] == f"http://status.test/status/incidents/{outage['incident']['id']}"
    assert incident["components"][0]["name"] == "API"
    update = incident["incident_updates"][0]
    assert set(update) == UPDATE_FIELDS
    assert update["body"] == "Partially back."
    assert update["affected_components"] == [{"code": api_c["id"], "name": "API", "old_status": "major_outage",
                                              "new_status": "partial_outage"}]
    assert incident["created_at"].endswith("+00:00") and "." in incident["created_at"]


@pytest.mark.parametrize("name, key", [("status", "status"), ("components", "components"),
                                       ("incidents", "incidents"), ("incidents/unresolved", "incidents"),
                                       ("scheduled-maintenances", "scheduled_maintenances"),
                                       ("scheduled-maintenances/upcoming", "scheduled_maintenances"),
                                       ("scheduled-maintenances/active", "scheduled_maintenances")])
def test_v2_documents(anon, outage, name, key):
    body = anon.get(f"/api/v2/{name}.json").json
    assert set(body) == {"page", key}


def test_v2_incidents_resolved_and_unresolved(anon, api, outage):
    api.post(f"/api/incidents/{outage['incident']['id']}/transition", json={"to": "resolved", "message": "Done."})
    assert anon.get("/api/v2/incidents/unresolved.json").json["incidents"] == []
    resolved = anon.get("/api/v2/incidents.json").json["incidents"][0]
    assert resolved["status"] == "resolved" and resolved["resolved_at"]
    assert anon.get("/api/v2/status.json").json["status"]["indicator"] == "none"


def test_v2_maintenance(anon, api):
    comp = make_component(api, "DB")
    make_maintenance("Upgrade", component_ids=[comp["id"]])
    make_maintenance("Now", status="in_progress", starts_in=timedelta(hours=-1))
    upcoming = anon.get("/api/v2/scheduled-maintenances/upcoming.json").json["scheduled_maintenances"]
    assert [m["name"] for m in upcoming] == ["Upgrade"]
    m = upcoming[0]
    assert m["impact"] == "maintenance" and m["status"] == "scheduled"
    assert m["scheduled_for"] and m["scheduled_until"] and m["components"][0]["name"] == "DB"
    assert set(m["incident_updates"][0]) == UPDATE_FIELDS
    active = anon.get("/api/v2/scheduled-maintenances/active.json").json["scheduled_maintenances"]
    assert [m["name"] for m in active] == ["Now"]
    assert len(anon.get("/api/v2/scheduled-maintenances.json").json["scheduled_maintenances"]) == 2
    summary = anon.get("/api/v2/summary.json").json
    assert {m["name"] for m in summary["scheduled_maintenances"]} == {"Upgrade", "Now"}


def test_v2_indicator_keeps_statuspage_enum_during_maintenance(anon, api):
    make_component(api, "DB", status="under_maintenance")
    status = anon.get("/api/v2/status.json").json["status"]
    assert status == {"indicator": "none", "description": "Service Under Maintenance"}


def test_public_routes_are_in_the_openapi_document(anon):
    paths = anon.get("/api/openapi.json").json["paths"]
    for path in ("/api/public/status", "/api/public/incidents/{incident_id}", "/api/v2/summary.json",
                 "/api/v2/scheduled-maintenances/active.json"):
        assert path in paths and paths[path]["get"]["security"] == []
