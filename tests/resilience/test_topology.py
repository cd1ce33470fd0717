"""Two web and two worker processes on one database and one Redis: every event is
published once, every email sent once, every maintenance window started and completed
once, and sweeps racing each other (every second, in both workers) act once."""
from __future__ import annotations

import json
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from statuspage.extensions import db, redis_client
from statuspage.models import EmailDelivery, OutboxEvent
from statuspage.services import incidents
from statuspage.services.context import SYSTEM
from tests.conftest import make_token
from tests.helpers_subs import make_subscriber
from tests.stream.servers import WebServer, Worker, base_env
from tests.stream.sse_client import SSEClient

pytestmark = [pytest.mark.slow, pytest.mark.resilience]

READERS = 12
DEADLINE = 90  # seconds; generous on a shared machine, not a speed assertion


def _wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            states = Counter(d.status for d in _deliveries())
            fanouts = Counter(e.fanout_status for e in _outbox())
            raise AssertionError(f"timed out waiting for {what}; deliveries {dict(states)}, "
                                 f"fan-outs {dict(fanouts)}")
        time.sleep(0.2)


def _call(web, token, method, path, body=None):
    status, raw = web.request(method, path, json.dumps(body).encode() if body is not None else None,
                              {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert status < 300, (method, path, status, raw[:300])
    return json.loads(raw) if raw else None


def _outbox() -> list[OutboxEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))


def _deliveries() -> list[EmailDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(EmailDelivery)))


@pytest.fixture
def topology(app, instance_dir, tmp_path, smtp):
    sink = smtp.start()
    env = base_env(instance_dir, MAIL_SERVER="127.0.0.1", MAIL_PORT=app.config["MAIL_PORT"],
                   WORKER_SWEEP_SECONDS=1, FANOUT_GRACE_SECONDS=1, DELIVERY_REQUEUE_GRACE_SECONDS=1,
                   MAINTENANCE_SWEEP_SECONDS=1, RELAY_INTERVAL_SECONDS=0.2)
    redis_client.client.delete(app.config["STREAM_KEY"])
    processes = []
    try:
        webs = [WebServer(env, tmp_path), WebServer(env, tmp_path)]
        processes += webs
        workers = [Worker(env, tmp_path), Worker(env, tmp_path)]
        processes += workers
        yield webs, workers, sink
    finally:
        for process in processes:
            process.stop()


def test_two_webs_and_two_workers_do_everything_exactly_once(topology, app, monkeypatch):
    webs, workers, sink = topology
    token = make_token("admin")
    for n in range(READERS):
        make_subscriber(f"reader{n}@example.org")
    streams = [SSEClient(web.port, "/api/stream/admin", {"Authorization": f"Bearer {token}"})
               for web in webs]
    try:
        component = make_component_via(webs[0], token)
        # Writes alternate between the two web processes.
        for n in range(4):
            created = _call(webs[n % 2], token, "POST", "/api/incidents",
                            {"title": f"Incident {n}", "severity": "SEV2",
                             "components": [{"id": component, "status": "partial_outage"}]})
            _call(webs[(n + 1) % 2], token, "POST", f"/api/incidents/{created['id']}/updates",
                  {"body": f"Update on {n}."})
        now = datetime.now(timezone.utc)
        window = _call(webs[1], token, "POST", "/api/maintenances", {
            "title": "Short window", "component_ids": [component],
            "starts_at": (now + timedelta(seconds=2)).isoformat(),
            "ends_at": (now + timedelta(seconds=5)).isoformat()})

        # A fan-out job lost at commit (Redis hiccup): only the workers' racing sweeps find it.
        monkeypatch.setattr("statuspage.jobs.email.fanout_later", lambda ids: None)
        with app.app_context():
            incidents.create(SYSTEM, {"title": "Lost job", "severity": "SEV1"})
            db.session.commit()
        lost = _outbox()[-1]
        assert lost.fanout_status == "pending"

        def window_done() -> bool:
            return _call(webs[0], token, "GET", f"/api/maintenances/{window['id']}")["status"] == "completed"

        _wait_for(window_done, "the maintenance window to start and complete")
        _wait_for(lambda: all(e.fanout_status != "pending" for e in _outbox()), "every fan-out")
        _wait_for(lambda: _deliveries() and all(d.status == "SENT" for d in _deliveries()), "every email sent")

        events = _outbox()
        types = Counter(e.event_type for e in events)
        assert types["MAINTENANCE_STARTED"] == 1 and types["MAINTENANCE_COMPLETED"] == 1

        # Each email once: one delivery per (event, subscriber), one message per delivery.
        deliveries = _deliveries()
        keys = Counter((d.event_id, d.subscriber_id) for d in deliveries)
        assert keys and max(keys.values()) == 1
        assert any(d.event_id == lost.id for d in deliveries), "a sweep fanned out the lost event"
        _wait_for(lambda: len(sink.messages) >= len(deliveries), "the sink to hold every message")
        ids = Counter(m["Message-ID"] for m in sink.messages)
        assert len(sink.messages) == len(deliveries) and max(ids.values()) == 1

        # Each event once on the Redis stream, and once to a client of either web process.
        _wait_for(lambda: all(e.published_at for e in _outbox()), "every event published")
        entries = redis_client.client.xrange(app.config["STREAM_KEY"])
        published = Counter(int(fields[b"outbox_id"]) for _id, fields in entries)
        assert published == Counter(e.id for e in events)
        stream_ids = {raw.decode() for raw, _fields in entries}
        for stream in streams:
            seen = [stream.next_event().id for _ in range(len(entries))]
            assert sorted(seen) == sorted(stream_ids)
    finally:
        for stream in streams:
            stream.close()
    for process in webs + workers:
        assert "Traceback" not in process.output(), process.log_path


def make_component_via(web, token) -> int:
    return _call(web, token, "POST", "/api/components", {"name": "API"})["id"]
