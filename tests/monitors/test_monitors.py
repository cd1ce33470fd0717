"""Monitors: the API, thresholds both ways against a real target, human override."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from statuspage.extensions import db
from statuspage.models import ComponentStatusChange, Monitor, MonitorResult, clock_at
from tests.conftest import make_component
from tests.helpers import assert_problem, audit_actions


def make_monitor(api, **fields) -> dict:
    body = {"name": "API health", "kind": "http", "interval_seconds": 10, "timeout_seconds": 5,
            "failure_threshold": 3, "recovery_threshold": 2, **fields}
    response = api.post("/api/monitors", json=body)
    assert response.status_code == 201, response.json
    return response.json


def status_of(api, component) -> str:
    return api.get(f"/api/components/{component['id']}").json["status"]


def test_crud_pause_resume_and_validation(api, api_as):
    component = make_component(api)
    monitor = make_monitor(api, url="http://example.test/health", component_id=component["id"],
                           expected_status=[200, "300-301"])
    assert monitor["expected_status"] == [[200, 200], [300, 301]] and monitor["state"] == "unknown"
    path = f"/api/monitors/{monitor['id']}"
    assert api.post(f"{path}/pause").json["paused"] is True
    assert api.post(f"{path}/resume").json["paused"] is False
    assert api.patch(path, json={"name": "Edge"}).json["name"] == "Edge"
    assert api.get(path).json["failure_threshold"] == 3  # PATCH fills in no defaults
    assert [m["id"] for m in api.get("/api/monitors").json["items"]] == [monitor["id"]]
    assert api.delete(path).status_code == 204
    assert audit_actions("monitor") == ["monitor.created", "monitor.updated", "monitor.updated",
                                        "monitor.updated", "monitor.deleted"]
    bad = assert_problem(api.post("/api/monitors", json={"name": "x", "kind": "http",
                                                         "url": "http://a.test/", "interval_seconds": 5}), 422)
    assert "interval_seconds" in bad["errors"]
    assert "host" in assert_problem(api.post("/api/monitors", json={"name": "x", "kind": "tcp"}),
                                    422)["errors"]
    assert_problem(api.post("/api/monitors", json={"name": "x", "kind": "http", "url": "http://a.test/",
                                                   "expected_status": ["abc"]}), 422)
    assert_problem(api_as("responder").post("/api/monitors", json={}), 403)


def _history(component) -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(c.to_status, c.actor_label) for c in db.session.scalars(
        select(ComponentStatusChange).where(ComponentStatusChange.component_id == component["id"])
        .order_by(ComponentStatusChange.id))]


def test_thresholds_in_both_directions(api, target, clock):
    component = make_component(api)
    monitor = make_monitor(api, url=f"{target.base}/health", component_id=component["id"],
                           degraded_ms=300)
    actor = f"monitor:{monitor['id']}"
    assert len(clock.tick()) == 1 and status_of(api, component) == "operational"
    target.set("failing")
    clock.tick(), clock.tick()
    assert status_of(api, component) == "operational"  # two failures: under the threshold
    clock.tick()
    assert status_of(api, component) == "major_outage"
    row = db.session.get(Monitor, monitor["id"])
    assert row.state == "down" and "HTTP 503" in row.last_error
    target.set("healthy")
    clock.tick()
    assert status_of(api, component) == "major_outage"  # one success: not yet recovered
    clock.tick()
    assert status_of(api, component) == "operational"
    target.set("slow", ms=500)
    for _ in range(3):
        clock.tick()
    assert status_of(api, component) == "degraded_performance"
    target.set("healthy")
    clock.tick(), clock.tick()
    assert status_of(api, component) == "operational"
    assert _history(component) == [("major_outage", actor), ("operational", actor),
                                   ("degraded_performance", actor), ("operational", actor)]
    results = db.session.scalars(select(MonitorResult).where(
        MonitorResult.monitor_id == monitor["id"])).all()
    assert len(results) == 11 and sum(not r.ok for r in results) == 3
    assert all(r.response_ms >= 500 for r in results if r.ok and r.response_ms > 400)


def test_nothing_runs_before_it_is_due_and_paused_monitors_never(api, target, clock):
    monitor = make_monitor(api, url=f"{target.base}/due")
    assert len(clock.tick(0)) == 1
    assert clock.tick(5) == []  # interval 10 s: not due yet
    assert len(clock.tick(5)) == 1
    api.post(f"/api/monitors/{monitor['id']}/pause")
    assert clock.tick(30) == []


def test_a_human_change_wins_over_the_monitor(api, target, clock):
    component = make_component(api)
    make_monitor(api, url=f"{target.base}/override", component_id=component["id"],
                 failure_threshold=1, recovery_threshold=1)
    clock.tick()
    target.set("failing")
    clock.tick()
    assert status_of(api, component) == "major_outage"
    with clock_at(clock.now + timedelta(seconds=1)):  # a person, between two checks
        api.patch(f"/api/components/{component['id']}", json={"status": "partial_outage"})
    clock.tick()
    target.set("healthy")
    clock.tick()
    assert status_of(api, component) == "partial_outage"


def test_tcp_and_keyword_monitors(api, target, clock):
    tcp_component, keyword_component = make_component(api, name="DB"), make_component(api, name="Web")
    make_monitor(api, kind="tcp", url=None, host="127.0.0.1", port=target.tcp_port,
                 component_id=tcp_component["id"], failure_threshold=1, recovery_threshold=1)
    make_monitor(api, kind="keyword", url=f"{target.base}/page", keyword="all good",
                 expected_status=["200-599"], component_id=keyword_component["id"],
                 failure_threshold=1, recovery_threshold=1)
    clock.tick()
    assert (status_of(api, tcp_component), status_of(api, keyword_component)) == ("operational",) * 2
    target.set("failing")
    clock.tick()
    assert (status_of(api, tcp_component), status_of(api, keyword_component)) == ("major_outage",) * 2
    target.set("healthy")
    clock.tick()
    assert (status_of(api, tcp_component), status_of(api, keyword_component)) == ("operational",) * 2


def test_private_addresses_are_refused_unless_allowed(app, api, target, clock):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    monitor = make_monitor(api, url=f"{target.base}/private", failure_threshold=1)
    clock.tick()
    row = db.session.get(Monitor, monitor["id"])
    assert row.state == "down" and row.last_error.startswith("Refused:")
    assert target.hits("/private") == []


def test_the_worker_loop_claims_probes_and_records_in_batches(app, api, target, monkeypatch):
    from statuspage.monitoring.scheduler import MonitorLoop
    from tests.resilience.procs import wait_for

    monkeypatch.setitem(app.config, "MONITOR_MIN_INTERVAL", 1)
    monkeypatch.setitem(app.config, "MONITOR_TICK_SECONDS", 0.05)
    monkeypatch.setitem(app.config, "MONITOR_COMPACT_SECONDS", 0)
    for n in range(3):
        make_monitor(api, name=f"loop {n}", url=f"{target.base}/loop/{n}", interval_seconds=1,
                     timeout_seconds=0.5)
    loop = MonitorLoop(app).start()
    try:
        wait_for(lambda: len({h["path"] for h in target.hits("/loop/")}) == 3
                 and len(target.hits("/loop/")) >= 6, 30, "two checks of each monitor")
    finally:
        loop.stop()
    db.session.expire_all()
    monitors = db.session.scalars(select(Monitor)).all()
    assert {m.state for m in monitors} == {"up"} and all(m.lease_until is None for m in monitors)
    stored = db.session.scalars(select(MonitorResult)).all()
    assert len(stored) == len(target.hits("/loop/")) and all(r.ok for r in stored)


def test_pausing_releases_the_component_and_resuming_judges_afresh(api, target, clock):
    component = make_component(api)
    monitor = make_monitor(api, url=f"{target.base}/pause", component_id=component["id"],
                           failure_threshold=1, recovery_threshold=1)
    target.set("failing")
    clock.tick()
    assert status_of(api, component) == "major_outage"
    api.post(f"/api/monitors/{monitor['id']}/pause")
    assert status_of(api, component) == "operational"
    api.post(f"/api/monitors/{monitor['id']}/resume")
    clock.tick()
    assert status_of(api, component) == "major_outage"
