"""The worker's monitor loop: claim due checks, run them in a pool, record results.

Every worker runs this loop; the claim in the database (see
``services.monitors.claim_due``) makes sure a check runs once however many
workers there are, and never twice at once for one monitor.
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from flask import Flask

from ..extensions import db
from ..services import monitor_metrics, monitors
from . import checks

log = logging.getLogger(__name__)


def tick(app: Flask, pool: ThreadPoolExecutor, slots: threading.BoundedSemaphore) -> int:
    """Claim what is due now, at most one check per free slot of ``pool`` (a claimed
    check starts at once, well inside its lease); returns how many started."""
    free = 0
    while slots.acquire(blocking=False):
        free += 1
    claims = []
    try:
        if free:
            with app.app_context():
                try:
                    claims = monitors.claim_due(limit=free)
                    db.session.commit()
                finally:
                    db.session.remove()
    finally:
        for _ in range(free - len(claims)):
            slots.release()
    for claim in claims:
        pool.submit(_run_in_slot, app, claim, slots)
    return len(claims)


def _run_in_slot(app: Flask, claim: monitors.Claim, slots: threading.BoundedSemaphore) -> None:
    try:
        run_and_record(app, claim)
    finally:
        slots.release()


def run_and_record(app: Flask, claim: monitors.Claim) -> checks.Outcome:
    """Run one claimed check and store its result (in its own unit of work)."""
    started = time.time()
    outcome = checks.run(claim, app.config["WEBHOOK_ALLOW_PRIVATE"])
    with app.app_context():
        try:
            monitors.record(claim.monitor_id, outcome.ok, outcome.response_ms, outcome.error)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("recording the check of monitor %s failed", claim.monitor_id)
        finally:
            db.session.remove()
    log.debug("monitor %s checked %.3f s after it was due", claim.monitor_id,
              started - claim.due_at.timestamp())
    return outcome


def compact(app: Flask) -> dict:
    """Downsample and expire results (one unit of work)."""
    with app.app_context():
        try:
            done = monitor_metrics.compact()
            db.session.commit()
            return done
        finally:
            db.session.remove()


class MonitorLoop:
    """A daemon thread running :func:`tick` every ``MONITOR_TICK_SECONDS``."""

    def __init__(self, app: Flask):
        self.app = app
        self.interval = app.config["MONITOR_TICK_SECONDS"]
        self.pool = ThreadPoolExecutor(app.config["MONITOR_CONCURRENCY"], thread_name_prefix="monitor")
        self.slots = threading.BoundedSemaphore(app.config["MONITOR_CONCURRENCY"])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="monitor-loop", daemon=True)
        self._last_compact = 0.0

    def start(self) -> "MonitorLoop":
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                tick(self.app, self.pool, self.slots)
                if time.monotonic() - self._last_compact >= self.app.config["MONITOR_COMPACT_SECONDS"]:
                    self._last_compact = time.monotonic()
                    compact(self.app)
            except Exception:  # the database may be down; the next tick tries again
                log.exception("monitor loop pass failed")
            self._stop.wait(self.interval)
