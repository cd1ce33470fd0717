"""Monitor results as charts read them (series, uptime), and their retention.

Raw results are kept for ``MONITOR_RAW_HOURS``; older ones are folded into one
row per monitor and hour (``samples`` checks, ``failures`` of them failed, the
mean response time of the successful ones); rows past
``MONITOR_RETENTION_DAYS`` are deleted.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from flask import current_app
from sqlalchemy import delete, select

from ..errors import NotFound
from ..extensions import db
from ..models import Monitor, MonitorResult, utcnow

WINDOWS = {"24h": (timedelta(hours=24), timedelta(minutes=15)),
           "7d": (timedelta(days=7), timedelta(hours=2)),
           "30d": (timedelta(days=30), timedelta(hours=8))}
COMPACT_BATCH = 20000


def public_monitor(monitor_id: int) -> Monitor:
    """A monitor whose response times are public (404 for any other)."""
    monitor = db.session.get(Monitor, monitor_id)
    if monitor is None or not monitor.public_metric:
        raise NotFound(f"There are no public metrics for monitor {monitor_id}.")
    return monitor


def public_charts() -> dict[int, list[dict]]:
    """Monitors with public metrics (``{"id", "name"}``), by the component they watch."""
    found: dict[int, list[dict]] = {}
    for monitor in db.session.scalars(select(Monitor).where(
            Monitor.public_metric, Monitor.component_id.is_not(None)).order_by(Monitor.id)):
        found.setdefault(monitor.component_id, []).append({"id": monitor.id, "name": monitor.name})
    return found


def _bucket(moment: datetime, origin: datetime, width: timedelta) -> datetime:
    return origin + width * int((moment - origin) / width)


def series(monitor: Monitor, window: str = "24h", now: Optional[datetime] = None) -> dict:
    """Response times over ``window`` in equal buckets, with uptime and a summary."""
    now = now or utcnow()
    span, width = WINDOWS[window]
    start = now - span
    rows = db.session.execute(select(
        MonitorResult.checked_at, MonitorResult.response_ms, MonitorResult.samples,
        MonitorResult.failures).where(MonitorResult.monitor_id == monitor.id,
                                      MonitorResult.checked_at >= start)).all()
    buckets: dict[datetime, list[float]] = {}
    samples = failures = 0
    for at, ms, count, failed in rows:
        samples, failures = samples + count, failures + failed
        acc = buckets.setdefault(_bucket(at, start, width), [0.0, 0, 0, 0])
        if ms is not None and count > failed:
            acc[0] += ms * (count - failed)
            acc[1] += count - failed
        acc[2], acc[3] = acc[2] + count, acc[3] + failed
    points = [{"t": at.isoformat(), "avg_ms": round(a[0] / a[1], 1) if a[1] else None,
               "checks": a[2], "failures": a[3]} for at, a in sorted(buckets.items())]
    timed = [p["avg_ms"] for p in points if p["avg_ms"] is not None]
    return {"monitor_id": monitor.id, "name": monitor.name, "window": window,
            "from": start.isoformat(), "to": now.isoformat(), "bucket_seconds": int(width.total_seconds()),
            "uptime": round(100.0 * (samples - failures) / samples, 3) if samples else None,
            "avg_ms": round(sum(timed) / len(timed), 1) if timed else None,
            "max_ms": max(timed) if timed else None, "checks": samples, "points": points}


def compact(now: Optional[datetime] = None) -> dict:
    """Fold raw results older than the raw window into hourly rows; drop expired ones."""
    now = now or utcnow()
    config = current_app.config
    expired = db.session.execute(delete(MonitorResult).where(
        MonitorResult.checked_at < now - timedelta(days=config["MONITOR_RETENTION_DAYS"]))
        .execution_options(synchronize_session=False)).rowcount
    # Whole hours only, so an hour is never folded into two rows.
    cutoff = (now - timedelta(hours=config["MONITOR_RAW_HOURS"])).replace(minute=0, second=0, microsecond=0)
    folded = 0
    while True:
        rows = db.session.execute(select(
            MonitorResult.id, MonitorResult.monitor_id, MonitorResult.checked_at,
            MonitorResult.ok, MonitorResult.response_ms).where(
            MonitorResult.folded.is_(False), MonitorResult.checked_at < cutoff)
            .order_by(MonitorResult.monitor_id, MonitorResult.checked_at).limit(COMPACT_BATCH)).all()
        if not rows:
            break
        hours: dict[tuple[int, datetime], list] = {}
        for _id, monitor_id, at, ok, ms in rows:
            acc = hours.setdefault((monitor_id, at.replace(minute=0, second=0, microsecond=0)),
                                   [0, 0, 0.0, 0])
            acc[0] += 1
            acc[1] += 0 if ok else 1
            if ok and ms is not None:
                acc[2] += ms
                acc[3] += 1
        db.session.add_all(MonitorResult(
            monitor_id=monitor_id, checked_at=hour, ok=acc[1] < acc[0],
            response_ms=acc[2] / acc[3] if acc[3] else None, samples=acc[0],
            failures=acc[1], folded=True) for (monitor_id, hour), acc in hours.items())
        db.session.execute(delete(MonitorResult).where(MonitorResult.id.in_([r[0] for r in rows]))
                           .execution_options(synchronize_session=False))
        db.session.flush()
        folded += len(rows)
    return {"expired": expired, "folded": folded}
