"""Fixtures for the resilience tests: real gunicorn, real ``flask worker``, a private
redis-server and an SMTP sink, all on free ports and stopped by the test.

The processes share the test app's database (the SQLite file of the session's
instance folder, or DATABASE_URL) and talk to the private Redis, which the test
may stop and start while they run.
"""
from __future__ import annotations

import json
import signal

import pytest
from sqlalchemy import func, select

from statuspage.extensions import db
from tests.stream.servers import WebServer, Worker, base_env

from .procs import RedisProcess, wait_for


@pytest.fixture
def redis_proc(tmp_path):
    server = RedisProcess(tmp_path)
    yield server
    server.stop()


class Stack:
    """Starts web and worker processes with one environment; stops them all at the end."""

    def __init__(self, instance_dir, tmp_path, redis_proc):
        self.instance_dir, self.tmp_path = instance_dir, tmp_path
        self.redis = redis_proc
        self.settings = {
            "REDIS_URL": redis_proc.url,
            "PUBLIC_BASE_URL": "http://status.test",
            # Short timers so catching up happens within a test, not minutes later.
            "WORKER_SWEEP_SECONDS": "1",
            "WORKER_HEARTBEAT_SECONDS": "1",
            "FANOUT_GRACE_SECONDS": "1",
            "DELIVERY_REQUEUE_GRACE_SECONDS": "2",
            "DELIVERY_BACKOFF_SECONDS": "1,1,1,1,1",
            "MAIL_TIMEOUT": "60",
            "LOG_LEVEL": "WARNING",
            # Stopping the stack after a test need not wait out a job stuck on a stalled
            # receiver (the default grace is 20 s; no test here stops a worker gracefully).
            "WORKER_SHUTDOWN_GRACE_SECONDS": "2",
        }
        self.processes = []

    def env(self, **overrides) -> dict:
        return base_env(self.instance_dir, **{**self.settings, **overrides})

    def mail(self, port: int) -> None:
        self.settings.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=str(port))

    def web(self, **overrides) -> WebServer:
        server = WebServer(self.env(**overrides), self.tmp_path)
        self.processes.append(server)
        return server

    def worker(self, **overrides) -> Worker:
        """A ``flask worker``, returned once it has registered with RQ on the private Redis."""
        known = self._workers()
        worker = Worker(self.env(**overrides), self.tmp_path)
        self.processes.append(worker)

        def registered():
            if worker.proc.poll() is not None:
                raise RuntimeError("flask worker exited:\n" + worker.output())
            return self._workers() - known

        wait_for(registered, 60, "the worker to register")
        return worker

    def _workers(self) -> set:
        with self.redis.client() as client:
            return set(client.smembers("rq:workers"))

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()


@pytest.fixture
def stack(instance_dir, tmp_path, redis_proc):
    made = Stack(instance_dir, tmp_path, redis_proc)
    yield made
    made.stop()


def kill(process) -> None:
    """SIGKILL: no shutdown code runs, as when a dyno or OOM killer ends it."""
    process.proc.send_signal(signal.SIGKILL)
    process.proc.wait()


def call(server, token, method, path, body=None, headers=None):
    """JSON request through a live server; returns (status, parsed body or text)."""
    sent = {"Authorization": f"Bearer {token}", **(headers or {})}
    raw = None
    if body is not None:
        sent["Content-Type"] = "application/json"
        raw = json.dumps(body).encode()
    status, data = server.request(method, path, raw, sent)
    try:
        return status, json.loads(data) if data else None
    except ValueError:
        return status, data.decode(errors="replace")


def scalars(stmt) -> list:
    db.session.expire_all()
    db.session.rollback()  # a fresh snapshot of what the other processes committed
    return list(db.session.scalars(stmt))


def count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))
