"""The sweep the worker runs between jobs: a failed sweep never stops the worker, and a
stop asked for during one always does, whatever the code it lands in does with it."""
from __future__ import annotations

import os
import signal

import pytest
from rq import Queue
from rq.job import Job, JobStatus

from statuspage.extensions import redis_client
from statuspage.jobs import sweeps
from statuspage.worker import close_worker, make_worker


@pytest.fixture
def restored_signals():
    """rq installs its SIGTERM/SIGINT handlers in this (the test's) process."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def _run_burst(app, monkeypatch, tick) -> Job:
    """A job waiting, then a burst of the worker whose sweeps run ``tick``."""
    monkeypatch.setattr(sweeps, "tick", tick)
    job = Queue("default", connection=redis_client.client).enqueue("time.sleep", 0)
    with app.app_context():
        worker = make_worker()
        try:
            worker.work(burst=True)
        finally:
            close_worker(worker)
    return Job.fetch(job.id, connection=redis_client.client)


def test_sigterm_during_a_sweep_stops_the_worker_before_the_next_job(app, monkeypatch,
                                                                      restored_signals):
    def tick_interrupted_by_the_platform():
        os.kill(os.getpid(), signal.SIGTERM)  # the platform's SIGTERM lands while the sweep runs

    assert _run_burst(app, monkeypatch, tick_interrupted_by_the_platform).get_status() == JobStatus.QUEUED


def test_sigterm_inside_code_that_catches_every_exception_still_stops_the_worker(
        app, monkeypatch, restored_signals):
    def tick_in_a_forgiving_library():
        # As when the signal lands while SQLAlchemy returns a connection to its pool:
        # whatever the handler raises there is logged and dropped.
        try:
            os.kill(os.getpid(), signal.SIGTERM)
        except Exception:
            pass

    assert _run_burst(app, monkeypatch, tick_in_a_forgiving_library).get_status() == JobStatus.QUEUED


def test_a_failed_sweep_leaves_the_worker_taking_jobs(app, monkeypatch):
    def failing_tick():
        raise RuntimeError("database unreachable")

    assert _run_burst(app, monkeypatch, failing_tick).get_status() == JobStatus.FINISHED
