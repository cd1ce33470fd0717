"""Maintenance windows on the clock: RQ jobs at each window's times, plus a sweep.

After a commit that schedules or moves a window, :func:`schedule_after_commit`
enqueues a start job at ``starts_at`` and a complete job at ``ends_at`` (RQ's
scheduler, run by ``flask worker``, releases them). Jobs re-check the window, so
stale jobs of a rescheduled window do nothing. The :func:`sweep` job runs every
``MAINTENANCE_SWEEP_SECONDS`` and catches anything a lost job missed.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone

import redis
from flask import current_app
from rq.exceptions import DuplicateJobError
from sqlalchemy import select

from .. import queues
from ..extensions import db
from ..models import Maintenance
from ..services import maintenance, outbox
from ..services.context import SYSTEM

log = logging.getLogger(__name__)
QUEUE = "default"
_RESCHEDULING = ("MAINTENANCE_SCHEDULED", "MAINTENANCE_UPDATED", "MAINTENANCE_STARTED")


def start_window(maintenance_id: int) -> str:
    """Job: start the window if it is due; its status afterwards."""
    m = maintenance.start(SYSTEM, maintenance_id, due_only=True)
    db.session.commit()
    return m.status


def complete_window(maintenance_id: int) -> str:
    """Job: complete the window if it is due; its status afterwards."""
    m = maintenance.complete(SYSTEM, maintenance_id, due_only=True)
    db.session.commit()
    return m.status


def run_due() -> tuple[int, int]:
    """Start and complete every overdue window, one transaction each."""
    started = completed = 0
    to_start, _ = maintenance.due()
    for mid in to_start:
        started += start_window(mid) != "scheduled"
    _, to_end = maintenance.due()  # after starting: a window already over ends too
    for mid in to_end:
        completed += complete_window(mid) == "completed"
    return started, completed


def _job_id(kind: str, mid: int, at: datetime) -> str:
    return f"maintenance-{mid}-{kind}-{int(at.timestamp())}"


def schedule_window(m: Maintenance) -> None:
    """Enqueue the start and complete jobs at the window's times (raises redis.RedisError)."""
    q = queues.queue(QUEUE)
    if m.status == "scheduled":
        q.enqueue_at(m.starts_at, start_window, m.id, job_id=_job_id("start", m.id, m.starts_at))
    if m.status != "completed":
        q.enqueue_at(m.ends_at, complete_window, m.id,
                     job_id=_job_id("complete", m.id, m.ends_at))


def schedule_after_commit(committed: outbox.Committed) -> None:
    """After-commit step: (re)schedule the windows this commit created or moved."""
    if not committed.event_ids:
        return
    ids = outbox.maintenance_ids(committed.event_ids, _RESCHEDULING)
    if not ids:
        return
    with db.engine.connect() as conn:
        rows = conn.execute(select(Maintenance.id, Maintenance.status, Maintenance.starts_at,
                                   Maintenance.ends_at).where(Maintenance.id.in_(ids))).all()
    try:
        for row in rows:
            schedule_window(row)
    except redis.RedisError as exc:  # the sweep will still run these windows
        log.warning("could not schedule maintenance jobs: %s", exc)


def schedule_sweep(now: datetime | None = None) -> bool:
    """Schedule the next sweep on an interval boundary; True if this call scheduled it.

    Every worker computes the same boundary, and the job id is unique, so
    several workers (or restarts) keep one chain rather than many.
    """
    interval = current_app.config.get("MAINTENANCE_SWEEP_SECONDS", 60)
    now = now or datetime.now(timezone.utc)
    slot = int(now.timestamp() // interval) + 1
    at = datetime.fromtimestamp(slot * interval, timezone.utc)
    try:
        queues.queue(QUEUE).enqueue_at(at, sweep, job_id=f"maintenance-sweep-{slot}", unique=True)
    except DuplicateJobError:
        return False
    return True


def sweep() -> tuple[int, int]:
    """Safety net: run overdue windows, then schedule the next sweep."""
    try:
        return run_due()
    finally:
        schedule_sweep()
