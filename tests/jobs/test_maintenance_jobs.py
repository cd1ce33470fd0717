"""The worker starts and completes maintenance windows on time (real RQ, real Redis)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from rq import SimpleWorker
from rq.registry import ScheduledJobRegistry

from statuspage.extensions import db, redis_client
from statuspage.jobs import maintenance as jobs
from statuspage.models import Maintenance
from statuspage.queues import QUEUES, queue
from tests.api.test_maintenances import iso, make_window
from tests.conftest import make_component, make_incident
from tests.helpers import audit_actions, outbox


def scheduled_ids() -> set[str]:
    return set(ScheduledJobRegistry(queue=queue(jobs.QUEUE)).get_job_ids())


def run_worker_burst():
    worker = SimpleWorker([queue(n) for n in QUEUES], connection=redis_client.client)
    worker.work(burst=True, with_scheduler=True)


def window_status(mid: int) -> str:
    db.session.expire_all()
    return db.session.get(Maintenance, mid).status


def test_commit_schedules_start_and_complete_jobs(api):
    window = make_window(api, start=60, end=120)
    m = db.session.get(Maintenance, window["id"])
    assert scheduled_ids() == {jobs._job_id("start", m.id, m.starts_at),
                               jobs._job_id("complete", m.id, m.ends_at)}
    api.patch(f"/api/maintenances/{m.id}", json={"starts_at": iso(90)})
    db.session.expire_all()
    assert jobs._job_id("start", m.id, db.session.get(Maintenance, m.id).starts_at) in scheduled_ids()


def test_worker_runs_due_start_job(api):
    comp = make_component(api, "Jobs")
    window = make_window(api, [comp["id"]], start=-1, end=60)
    run_worker_burst()
    assert window_status(window["id"]) == "in_progress"
    assert api.get(f"/api/components/{comp['id']}").json["status"] == "under_maintenance"
    [started] = outbox("MAINTENANCE_STARTED")
    assert started.fanout_status == "done"  # the same burst also fanned it out to subscribers
    assert "maintenance.started" in audit_actions("maintenance")


def test_stale_job_of_a_moved_window_does_nothing(api):
    window = make_window(api, start=60, end=120)
    api.patch(f"/api/maintenances/{window['id']}", json={"starts_at": iso(100)})
    assert jobs.start_window(window["id"]) == "scheduled"  # the old job firing now
    assert jobs.complete_window(window["id"]) == "scheduled"
    assert outbox("MAINTENANCE_STARTED") == []


def test_sweep_catches_lost_jobs_and_schedules_itself(api, app):
    comp = make_component(api)
    over = make_window(api, [comp["id"]], start=-120, end=-60, title="Missed entirely")
    due = make_window(api, start=-5, end=60, title="Should be running")
    future = make_window(api, start=60, end=120, title="Later")
    redis_client.client.flushdb()  # every scheduled job is lost
    assert jobs.sweep() == (2, 1)
    assert [window_status(m["id"]) for m in (over, due, future)] == \
        ["completed", "in_progress", "scheduled"]
    assert api.get(f"/api/components/{comp['id']}").json["status"] == "operational"
    ids = scheduled_ids()
    assert len([i for i in ids if i.startswith("maintenance-sweep-")]) == 1
    assert jobs.schedule_sweep() is False  # a second worker joins the same chain
    assert jobs.sweep() == (0, 0)


def test_sweep_slot_is_shared(app):
    now = datetime(2026, 1, 1, 12, 0, 30, tzinfo=timezone.utc)
    assert jobs.schedule_sweep(now) is True
    assert jobs.schedule_sweep(now + timedelta(seconds=20)) is False


def test_overlapping_windows_restore_the_original_status(api):
    comp = make_component(api, status="degraded_performance")
    first = make_window(api, [comp["id"]], start=60, end=120)
    second = make_window(api, [comp["id"]], start=60, end=180)
    for m in (first, second):
        api.post(f"/api/maintenances/{m['id']}/transition", json={"to": "in_progress"})
    api.post(f"/api/maintenances/{first['id']}/transition", json={"to": "completed"})
    assert api.get(f"/api/components/{comp['id']}").json["status"] == "under_maintenance"
    api.post(f"/api/maintenances/{second['id']}/transition", json={"to": "completed"})
    assert api.get(f"/api/components/{comp['id']}").json["status"] == "degraded_performance"


def test_incident_resolved_during_window_restores_operational(api):
    comp = make_component(api)
    incident = make_incident(api, components=[{"id": comp["id"], "status": "partial_outage"}])
    window = make_window(api, [comp["id"]])
    api.post(f"/api/maintenances/{window['id']}/transition", json={"to": "in_progress"})
    api.post(f"/api/incidents/{incident['id']}/transition", json={"to": "resolved"})
    assert api.get(f"/api/components/{comp['id']}").json["status"] == "under_maintenance"
    api.post(f"/api/maintenances/{window['id']}/transition", json={"to": "completed"})
    assert api.get(f"/api/components/{comp['id']}").json["status"] == "operational"


def test_active_incident_status_is_restored(api):
    comp = make_component(api)
    make_incident(api, components=[{"id": comp["id"], "status": "partial_outage"}])
    window = make_window(api, [comp["id"]])
    api.post(f"/api/maintenances/{window['id']}/transition", json={"to": "in_progress"})
    api.post(f"/api/maintenances/{window['id']}/transition", json={"to": "completed"})
    assert api.get(f"/api/components/{comp['id']}").json["status"] == "partial_outage"
