"""Two real ``flask worker`` processes share the schedule: each tick of a monitor is
checked exactly once, and never while the previous check of it still runs."""
from __future__ import annotations

from sqlalchemy import func, select

from statuspage.extensions import db
from statuspage.models import MonitorResult
from tests.resilience.procs import wait_for
from tests.stream.servers import Worker, base_env


def test_one_check_per_tick_across_two_workers(app, api, target, instance_dir, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MONITOR_MIN_INTERVAL", 1)
    target.set("slow", ms=600)  # long enough that a second claimant would overlap
    env = base_env(instance_dir, MONITOR_MIN_INTERVAL=1, MONITOR_TICK_SECONDS=0.05,
                   WEBHOOK_ALLOW_PRIVATE=1, PUBLIC_BASE_URL="http://status.test")
    response = api.post("/api/monitors", json={
        "name": "shared", "kind": "http", "url": f"{target.base}/shared", "interval_seconds": 1,
        "timeout_seconds": 0.9})
    assert response.status_code == 201, response.json
    monitor = response.json
    dirs = [tmp_path / "a", tmp_path / "b"]
    for d in dirs:
        d.mkdir()
    workers = [Worker(env, d) for d in dirs]
    try:
        try:
            wait_for(lambda: len(target.hits("/shared")) >= 8, 90, "eight checks")
        except AssertionError:
            raise AssertionError([w.output()[-3000:] for w in workers]) from None
    finally:
        for worker in workers:
            worker.stop()
    hits = sorted(target.hits("/shared"), key=lambda h: h["start"])
    overlaps = [(a, b) for a, b in zip(hits, hits[1:]) if b["start"] < a["end"]]
    assert overlaps == []
    gaps = [b["start"] - a["start"] for a, b in zip(hits, hits[1:])]
    assert min(gaps) > 0.5, gaps  # one check per 1 s tick (a second one would follow at once)
    db.session.expire_all()
    stored = db.session.scalar(select(func.count()).select_from(MonitorResult).where(
        MonitorResult.monitor_id == monitor["id"]))
    assert stored == len(hits)
    assert all("Traceback" not in w.output() for w in workers), [w.output()[-2000:] for w in workers]
