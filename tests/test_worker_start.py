"""The worker reports itself alive only once it takes jobs."""
from __future__ import annotations

from rq.worker import WorkerStatus

from statuspage.worker import close_worker, make_worker


def test_on_listening_runs_once_rq_has_started_listening(app):
    seen = []
    with app.app_context():
        worker = make_worker(on_listening=lambda: seen.append(worker.get_state()))
        try:
            worker.work(burst=True)
        finally:
            close_worker(worker)
    assert seen == [WorkerStatus.STARTED]
