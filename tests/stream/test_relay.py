"""The outbox relay: events whose after-commit publish failed go out later, once, in order."""
from __future__ import annotations

import json
import time

from sqlalchemy import select

from tests.conftest import make_incident
from statuspage.extensions import db, redis_client
from statuspage.models import OutboxEvent
from statuspage.stream.relay import Relay, relay_once

KEY = "statuspage:events"


def _unpublished() -> list[int]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(OutboxEvent.id).where(OutboxEvent.published_at.is_(None)).order_by(OutboxEvent.id)))


def _break_stream():
    # A plain string where the stream should be: every XADD fails (WRONGTYPE),
    # as it would with Redis unreachable, but without stopping the shared server.
    redis_client.client.set(KEY, "not a stream")


def test_relay_once_publishes_the_backlog_in_order_exactly_once(app, api):
    _break_stream()
    make_incident(api, title="First")
    make_incident(api, title="Second")
    pending = _unpublished()
    assert len(pending) == 2

    redis_client.client.delete(KEY)
    assert relay_once(app) == 2
    assert relay_once(app) == 0
    entries = redis_client.client.xrange(KEY)
    assert [int(f[b"outbox_id"]) for _i, f in entries] == pending
    assert [json.loads(f[b"public"])["incident"]["title"] for _i, f in entries] == ["First", "Second"]
    assert _unpublished() == []


def test_relay_thread_keeps_trying_until_redis_takes_the_events(app, api):
    _break_stream()
    make_incident(api, title="Late")
    relay = Relay(app, interval=0.05).start()
    try:
        assert _unpublished()  # still failing: nothing lost, nothing published
        redis_client.client.delete(KEY)
        for _ in range(400):
            if not _unpublished():
                break
            time.sleep(0.05)
        assert _unpublished() == []
    finally:
        relay.stop()
    assert redis_client.client.xlen(KEY) == 1


def test_worker_command_starts_and_stops_the_relay_with_rq(app, api, runner):
    _break_stream()
    make_incident(api, title="Queued")
    redis_client.client.delete(KEY)
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
