"""The worker's monitor loop: claim due checks, run them in a pool, record results.

Every worker runs this loop; the claim in the database (see
``services.monitors.claim_due``) makes sure a check runs once however many
workers there are, and never twice at once for one monitor. The pool's threads
only probe; the loop records what they found in one transaction per pass
(dozens of checks a second would otherwise be as many commits).
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from flask import Flask

from ..extensions import db
from ..services import monitor_metrics, monitors
from . import checks

log = logging.getLogger(__name__)


def run_and_record(app: Flask, claim: monitors.Claim) -> checks.Outcome:
    """Run one claimed check and store its result at once (one unit of work)."""
    outcome = checks.run(claim, app.config["WEBHOOK_ALLOW_PRIVATE"])
    record_all(app, [(claim, outcome)])
    return outcome


def record_all(app: Flask, done: list[tuple[monitors.Claim, checks.Outcome]]) -> None:
    """Store finished checks in one transaction (each in a savepoint: one bad row spoils none)."""
    if not done:
        return
    with app.app_context():
        try:
            for claim, outcome in done:
                try:
                    with db.session.begin_nested():
                        monitors.record(claim.monitor_id, outcome.ok, outcome.response_ms, outcome.error)
                except Exception:
                    log.exception("recording the check of monitor %s failed", claim.monitor_id)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        finally:
            db.session.remove()


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
    """A daemon thread: every ``MONITOR_TICK_SECONDS`` it records what finished, then
    claims as many due checks as the pool has free threads (a claimed check starts
    at once, well inside its lease)."""

    def __init__(self, app: Flask):
        self.app = app
        self.interval = app.config["MONITOR_TICK_SECONDS"]
        size = app.config["MONITOR_CONCURRENCY"]
        self.pool = ThreadPoolExecutor(size, thread_name_prefix="monitor")
        self.slots = threading.BoundedSemaphore(size)
        self.finished: queue.SimpleQueue = queue.SimpleQueue()
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
        self._record_finished()

    def tick(self) -> int:
        """One pass: record, then claim and start; returns how many checks started."""
        self._record_finished()
        free = 0
        while self.slots.acquire(blocking=False):
            free += 1
        claims: list = []
        try:
            if free:
                with self.app.app_context():
                    try:
                        claims = monitors.claim_due(limit=free)
                        db.session.commit()
                    finally:
                        db.session.remove()
        finally:
            for _ in range(free - len(claims)):
                self.slots.release()
        for claim in claims:
            self.pool.submit(self._probe, claim)
        return len(claims)

    def _probe(self, claim: monitors.Claim) -> None:
        try:
            outcome = checks.run(claim, self.app.config["WEBHOOK_ALLOW_PRIVATE"])
        except Exception as exc:  # a probe bug must still end the check and free its slot
            outcome = checks.Outcome(False, None, f"{type(exc).__name__}: {exc}"[:300])
        self.finished.put((claim, outcome))

    def _record_finished(self) -> None:
        done = []
        while True:
            try:
                done.append(self.finished.get_nowait())
            except queue.Empty:
                break
        try:
            record_all(self.app, done)
        finally:
            for _ in done:
                self.slots.release()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
                if time.monotonic() - self._last_compact >= self.app.config["MONITOR_COMPACT_SECONDS"]:
                    self._last_compact = time.monotonic()
                    compact(self.app)
            except Exception:  # the database may be down; the next pass tries again
                log.exception("monitor loop pass failed")
            self._stop.wait(self.interval)
