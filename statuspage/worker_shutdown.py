"""Heroku-style shutdown for the in-process (Simple) RQ worker.

rq's ``HerokuWorker`` gives a forked work horse a few seconds after SIGTERM and
then raises ``ShutDownImminentException`` inside the job, so the job is marked
failed (and retried by its ``Retry``) rather than cut off by the platform's
SIGKILL with no record. Our worker runs jobs in-process, so the same semantics
are rebuilt here on top of ``SimpleWorker``: on SIGTERM the current job may
finish within the grace period, otherwise it is abandoned the same way.
"""
from __future__ import annotations

import os
import signal
import threading

from rq import SimpleWorker
from rq.exceptions import ShutDownImminentException
from rq.worker import WorkerStatus


class HerokuSimpleWorker(SimpleWorker):
    imminent_shutdown_delay = 20  # seconds; Heroku kills 30 s after SIGTERM

    def handle_warm_shutdown_request(self):
        super().handle_warm_shutdown_request()
        if self.get_state() != WorkerStatus.BUSY:
            return
        self.log.warning("Warm shut down during a job: abandoning it in %d s unless it ends",
                         self.imminent_shutdown_delay)
        # SIGALRM is taken by rq's job timeout, so a timer thread signals with SIGRTMIN
        # (HerokuWorker's signal); Python runs the handler in the main thread, inside the job.
        signal.signal(signal.SIGRTMIN, self._abandon_job)
        timer = threading.Timer(self.imminent_shutdown_delay, os.kill,
                                (os.getpid(), signal.SIGRTMIN))
        timer.daemon = True
        timer.start()

    def _abandon_job(self, signum, frame):
        if self.get_state() != WorkerStatus.BUSY:
            return  # the job ended meanwhile; the warm shutdown proceeds as usual
        self.log.warning("Shut down imminent: raising ShutDownImminentException in the job")
        raise ShutDownImminentException("shut down imminent (SIGTERM grace period over)",
                                        {"signal": signum})
