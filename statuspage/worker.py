"""The RQ worker, started as ``flask worker`` inside the app context."""
from __future__ import annotations

import logging
import signal
import time
from contextlib import contextmanager

import click
import redis
from flask import current_app
from flask.cli import with_appcontext

from .extensions import connect_redis, redis_client
from .queues import QUEUES
from .stream.relay import Relay
from .worker_shutdown import HerokuSimpleWorker

log = logging.getLogger(__name__)


# RQ's handlers for these raise its stop request wherever the main thread is when the
# worker is idle. Inside a sweep that can be library code catching every Exception
# (SQLAlchemy returning a connection to its pool does): the request was lost, the worker
# went on taking jobs and was killed when the platform's grace ran out.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextmanager
def _signals_held(signals):
    """Run the block with ``signals`` recorded instead of handled, then deliver them
    to the handlers that were in place, outside whatever code the block ran."""
    arrived: list[int] = []
    previous = {signum: signal.signal(signum, lambda signum, _frame: arrived.append(signum))
                for signum in signals}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(arrived):
            signal.raise_signal(signum)


class StatusWorker(HerokuSimpleWorker):
    """The in-process worker (HerokuWorker's SIGTERM semantics) that also runs the
    periodic sweeps (jobs.sweeps.tick) between jobs.

    RQ calls ``heartbeat`` after every job and at least every ``dequeue_timeout``
    seconds while idle; ``worker_ttl`` is chosen so that is the sweep interval.
    """

    # RQ backs off up to a minute between reconnection attempts; after an outage
    # the first job should not wait that long.
    max_connection_wait_time = 5.0

    def __init__(self, *args, sweep_seconds: float = 10.0, on_listening=None, **kwargs):
        kwargs.setdefault("worker_ttl", int(sweep_seconds) + 15)
        super().__init__(*args, **kwargs)
        self.sweep_seconds = sweep_seconds
        self._last_sweep = 0.0
        self.on_listening = on_listening

    def bootstrap(self, *args, **kwargs):
        """RQ's start-up; then tell ``on_listening`` that jobs are being taken."""
        super().bootstrap(*args, **kwargs)
        if self.on_listening is not None:
            self.on_listening()

    def heartbeat(self, *args, **kwargs):
        super().heartbeat(*args, **kwargs)
        if time.monotonic() - self._last_sweep < self.sweep_seconds:
            return
        self._last_sweep = time.monotonic()
        from .jobs import sweeps

        with _signals_held(STOP_SIGNALS):
            try:
                sweeps.tick()
            except Exception:  # a failed sweep must not stop the worker; the next one retries
                log.exception("worker sweep failed")


def make_worker(on_listening=None) -> StatusWorker:
    """The worker on a Redis client of its own (close it with :func:`close_worker`).

    RQ waits for jobs with a blocking dequeue of up to the sweep interval, so its
    connections need a socket timeout longer than that; the app's client keeps its
    short one (requests and the worker's threads must fail fast when Redis is down).
    Sharing one pool made it a race: a dequeue that picked a connection opened
    before RQ raised the timeout failed every few seconds while idle, and RQ's
    growing back-off then held the next job for up to a minute.
    """
    config = current_app.config
    sweep = config["WORKER_SWEEP_SECONDS"]
    # SimpleWorker runs jobs in this process, inside the app context, without a
    # fork per job (about 154 no-op jobs/s against 31 for the forking worker on a 2-core machine).
    connection = connect_redis(config["REDIS_URL"], timeout=sweep + 10, max_connections=10)
    worker = StatusWorker(list(QUEUES), connection=connection, sweep_seconds=sweep,
                          on_listening=on_listening)
    worker.imminent_shutdown_delay = config["WORKER_SHUTDOWN_GRACE_SECONDS"]
    return worker


def close_worker(worker: StatusWorker) -> None:
    """Close the worker's own Redis connections."""
    worker.connection.connection_pool.disconnect()


@click.command("worker")
@click.option("--burst", is_flag=True, help="Exit when the queues are empty.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run the RQ worker (with its scheduler) on all queues."""
    from . import heartbeat

    from .monitoring.scheduler import MonitorLoop

    # Threads, not job hooks: a long job must neither make the worker look dead
    # nor hold back events committed while Redis was down (the outbox relay).
    # The heartbeat starts once RQ listens, so "worker alive" means jobs are taken.
    beating: list = []

    def start_beating() -> None:
        if not beating:
            beating.append(heartbeat.start(redis_client.client,
                                           current_app.config["WORKER_HEARTBEAT_SECONDS"]))

    relay = Relay(current_app._get_current_object()).start()
    monitor_loop = MonitorLoop(current_app._get_current_object()).start()
    try:
        run_until_stopped(burst, on_listening=start_beating)
    finally:
        monitor_loop.stop()
        relay.stop()
        for stop_beating in beating:
            stop_beating.set()


def _stop_requested(worker) -> bool:
    # RQ stamps every SIGTERM/SIGINT; ``_stop_requested`` alone is only set when busy.
    return worker is not None and (worker._stop_requested
                                   or getattr(worker, "_shutdown_requested_date", None) is not None)


def run_until_stopped(burst: bool, on_listening=None) -> None:
    """Run RQ, starting it again when a Redis outage made it quit.

    RQ's work loop gives up on the first Redis error it meets outside a
    dequeue (finishing a job, say); an outage must not take the worker, and
    with it the relay and the sweeps, down for good.
    """
    from .jobs.maintenance import schedule_sweep
    from .jobs.snapshot import request_refresh

    backoff = 0.5
    while True:
        worker = None
        try:
            schedule_sweep()  # the maintenance safety net; one chain however many workers start
            if current_app.config.get("STATIC_SNAPSHOT_DIR"):
                request_refresh()  # a deploy or a restart brings the static copy up to date
            worker = make_worker(on_listening)
            worker.work(with_scheduler=True, burst=burst)
        except redis.RedisError as exc:
            log.warning("worker could not reach Redis: %s", exc)
        finally:
            if worker is not None:
                close_worker(worker)
        if burst or _stop_requested(worker):
            return
        log.warning("RQ worker stopped on an error; starting again in %.1f s", backoff)
        time.sleep(backoff)
        if _stop_requested(worker):  # SIGTERM during the pause
            return
        backoff = min(backoff * 2, 5.0)
