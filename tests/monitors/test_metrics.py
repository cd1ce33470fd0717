"""Results over time: series for the charts, hourly folding after 48 h, 90-day retention."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from statuspage.extensions import db
from statuspage.models import Monitor, MonitorResult
from statuspage.services import monitor_metrics
from tests.helpers import assert_problem

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)


def _monitor(public=False) -> Monitor:
    monitor = Monitor(name="API", kind="http", url="http://a.test/", interval_seconds=60,
                      timeout_seconds=5, next_check_at=NOW, public_metric=public, expected_status=[])
    db.session.add(monitor)
    db.session.flush()
    return monitor


def _results(monitor, start, count, step=timedelta(minutes=1), ms=100.0, fail_every=0):
    db.session.add_all(MonitorResult(
        monitor_id=monitor.id, checked_at=start + step * n,
        ok=not (fail_every and n % fail_every == 0), response_ms=ms + n % 3,
        failures=int(bool(fail_every and n % fail_every == 0))) for n in range(count))
    db.session.commit()


def _rows(monitor) -> int:
    return db.session.scalar(select(func.count()).select_from(MonitorResult).where(
        MonitorResult.monitor_id == monitor.id))


def test_folding_keeps_the_figures_and_expires_old_rows(app):
    monitor = _monitor()
    _results(monitor, NOW - timedelta(days=5), 600, fail_every=10)  # 10 h, 5 days ago
    _results(monitor, NOW - timedelta(hours=3), 120)  # recent, kept raw
    _results(monitor, NOW - timedelta(days=95), 30)  # past retention
    before = monitor_metrics.series(monitor, "7d", now=NOW)
    done = monitor_metrics.compact(now=NOW)
    db.session.commit()
    assert done == {"expired": 30, "folded": 600}
    assert _rows(monitor) == 10 + 120  # ten hourly rows, the recent ones untouched
    after = monitor_metrics.series(monitor, "7d", now=NOW)
    # 60 of the 600 old checks failed, none of the 120 recent ones
    assert (after["checks"], after["uptime"]) == (before["checks"], before["uptime"]) == (720, 91.667)
    assert abs(after["avg_ms"] - before["avg_ms"]) < 1.0
    assert monitor_metrics.compact(now=NOW) == {"expired": 0, "folded": 0}  # folded rows stay


def test_public_metrics_api(app, anon):
    hidden, shown = _monitor(), _monitor(public=True)
    _results(shown, datetime.now(timezone.utc) - timedelta(hours=2), 60, ms=200.0)
    assert_problem(anon.get(f"/api/public/metrics/{hidden.id}"), 404)
    assert_problem(anon.get(f"/api/public/metrics/{shown.id}?window=1y"), 422)
    body = anon.get(f"/api/public/metrics/{shown.id}?window=24h").json
    assert body["window"] == "24h" and body["checks"] == 60 and body["uptime"] == 100.0
    assert 200 <= body["avg_ms"] <= 202 and body["points"] and body["bucket_seconds"] == 900
