"""Redis stopped and restarted under a live web process and worker: nothing lost, nothing twice."""
from __future__ import annotations

import json
import os
import time

import pytest
import redis
from sqlalchemy import select

from tests.conftest import make_token
from statuspage.embedded_redis import ensure_running, stop
from statuspage.extensions import db
from statuspage.models import OutboxEvent

from .conftest import create_incident
from .servers import RedisServer, WebServer, Worker, base_env
from .sse_client import SSEClient

pytestmark = pytest.mark.slow


class PrivateRedis:
    """A Redis only this test uses, so stopping it disturbs nobody.

    On the embedded default it is the embedded redis-server of a fresh instance
    folder; against a Redis server it is a redis-server on a free port (the
    machine's shared server is never stopped).
    """

    def __init__(self, tmp_path, app):
        self.env = {}
        if os.environ.get("REDIS_URL"):
            self.server = RedisServer(tmp_path)
            self.url = self.server.url
            self.env["REDIS_URL"] = self.url
        else:
            self.server = None
            self.instance = tmp_path / "instance"
            self.url = ensure_running(str(self.instance))
            self.env["INSTANCE_PATH"] = str(self.instance)
            self.env["DATABASE_URL"] = app.config["SQLALCHEMY_DATABASE_URI"]

    def stop(self):
        if self.server:
            self.server.stop()
        else:
            stop(str(self.instance))

    def start(self):
        if self.server:
            self.server.restart()
        else:
            ensure_running(str(self.instance))

    def wait_for_key(self, key: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        with redis.Redis.from_url(self.url) as client:
            while not client.exists(key):
                assert time.monotonic() < deadline, f"{key} never appeared"
                time.sleep(0.1)

    def entries(self, key: str) -> list:
        with redis.Redis.from_url(self.url) as client:
            return client.xrange(key)


@pytest.fixture
def private_redis(tmp_path, app):
    private = PrivateRedis(tmp_path, app)
    yield private
    private.stop()


def _pending_titles():
    db.session.expire_all()
    rows = db.session.scalars(select(OutboxEvent).where(OutboxEvent.published_at.is_(None))
                              .order_by(OutboxEvent.id))
    return [row.payload["incident"]["title"] for row in rows]


def test_events_committed_while_redis_is_down_go_out_once_in_order(app, instance_dir,
                                                                  private_redis, tmp_path):
    env = base_env(instance_dir, **private_redis.env)
    web = WebServer(env, tmp_path)
    worker = Worker(env, tmp_path)
    try:
        token = make_token("responder")
        with SSEClient(web.port, "/api/stream/public") as stream:
            create_incident(web, token, title="Before the outage")
            before = stream.next_event()
            assert before.json["incident"]["title"] == "Before the outage"

            # The worker (and its relay) must be up before Redis goes away: a worker
            # booting into an outage is another scenario (tests/resilience).
            private_redis.wait_for_key("statuspage:worker:heartbeat")
            private_redis.stop()
            # Writes still succeed; their events wait in the outbox.
            create_incident(web, token, title="During the outage 1")
            create_incident(web, token, title="During the outage 2")
            assert _pending_titles() == ["During the outage 1", "During the outage 2"]

            private_redis.start()
            # The worker's relay publishes them; the open stream resumes by itself.
            during = stream.events(2)
            assert [e.json["incident"]["title"] for e in during] == [
                "During the outage 1", "During the outage 2"]

        with SSEClient(web.port, "/api/stream/public", {"Last-Event-ID": before.id}) as resumed:
            assert [e.id for e in resumed.events(2)] == [e.id for e in during]

        # Rows are marked published just after their XADD; give the relay that moment.
        deadline = time.monotonic() + 15
        while _pending_titles() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _pending_titles() == []
        entries = private_redis.entries("statuspage:events")
        outbox_ids = [int(fields[b"outbox_id"]) for _id, fields in entries]
        assert len(outbox_ids) == len(set(outbox_ids)) == 3
        assert outbox_ids == sorted(outbox_ids)
        assert [json.loads(f[b"public"])["incident"]["title"] for _i, f in entries] == [
            "Before the outage", "During the outage 1", "During the outage 2"]
    finally:
        worker.stop()
        web.stop()
