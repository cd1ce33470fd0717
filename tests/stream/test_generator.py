"""The stream generator driven directly: replay/live hand-over, drops, Redis errors, close."""
from __future__ import annotations

from tests.conftest import make_incident
from statuspage.extensions import redis_client
from statuspage.stream.hub import Entry, Hub, Subscriber
from statuspage.stream.views import Settings, generate

from .servers import free_port

SLOW = Settings(heartbeat=60, max_age=600, retry_ms=1000)


def _titles(chunk: bytes) -> list[str]:
    import json

    return [json.loads(line[6:])["incident"]["title"]
            for line in chunk.decode().splitlines() if line.startswith("data: ")]


def test_live_entries_already_replayed_are_skipped(app, api):
    hub = app.extensions["stream_hub"]
    make_incident(api, title="A")
    first_id = redis_client.client.xrange("statuspage:events")[0][0].decode()
    subscriber = hub.subscribe()
    make_incident(api, title="B")
    make_incident(api, title="C")
    # B and C are both in the replay and (soon) in the live queue: sent once.
    stream = generate(hub, subscriber, "public", first_id, SLOW)
    assert next(stream).startswith(b": stream open")
    assert _titles(next(stream)) + _titles(next(stream)) == ["B", "C"]
    make_incident(api, title="D")
    assert _titles(next(stream)) == ["D"]
    stream.close()  # what gunicorn does when the client has gone
    assert subscriber not in hub._subscribers


def test_dropped_subscriber_ends_its_stream(app):
    hub = app.extensions["stream_hub"]
    subscriber = hub.subscribe()
    subscriber.dropped = True
    assert len(list(generate(hub, subscriber, "admin", None, SLOW))) == 1


def test_redis_error_during_replay_ends_the_stream_cleanly():
    hub = Hub(f"redis://127.0.0.1:{free_port()}/0", "statuspage:events")
    chunks = list(generate(hub, Subscriber(10), "public", "1-0", SLOW))
    assert len(chunks) == 1 and chunks[0].startswith(b": stream open")
    hub.client.close()


def test_close_all_ends_every_stream(app):
    hub = Hub(app.config["REDIS_URL"], "statuspage:events")  # not the app's: this one closes
    subscriber = hub.subscribe()
    stream = generate(hub, subscriber, "public", None, SLOW)
    next(stream)
    hub.close_all()
    assert list(stream) == []
    assert subscriber not in hub._subscribers
    late = hub.subscribe()  # a reconnect reaching a worker that is shutting down
    assert list(generate(hub, late, "public", None, SLOW))[0].startswith(b": stream open")
    assert late not in hub._subscribers


def test_a_refused_check_ends_the_stream_at_the_next_heartbeat(app):
    hub = app.extensions["stream_hub"]
    answers = iter([True, False])
    stream = generate(hub, hub.subscribe(), "admin", None,
                      Settings(heartbeat=0.05, max_age=600, retry_ms=1000), lambda: next(answers))
    assert list(stream)[-1] == b": access revoked\n\n"


def test_a_credential_that_cannot_be_checked_counts_as_revoked(other_app, tmp_path, caplog):
    from statuspage.services.users import Credential
    from statuspage.stream.views import _still_allowed

    unreachable = other_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/db.sqlite")
    with unreachable.app_context():
        check = _still_allowed(Credential("token", 1))
    assert check() is False
    assert "credential check failed" in caplog.text


def test_a_busy_stream_is_checked_although_no_heartbeat_is_ever_due(app):
    """The queue is never empty when the generator looks, so no heartbeat can fall due;
    the credential is still checked every interval and the stream ends on a refusal."""
    import time

    hub = app.extensions["stream_hub"]
    subscriber = hub.subscribe()
    checks = []

    def allowed():
        checks.append(subscriber.queue.qsize())
        return len(checks) < 3

    stream = generate(hub, subscriber, "admin", None,
                      Settings(heartbeat=0.02, max_age=600, retry_ms=1000), allowed)
    assert next(stream).startswith(b": stream open")
    sent, n, deadline = [], 0, time.monotonic() + 30
    while time.monotonic() < deadline:
        n += 1
        subscriber.queue.put(Entry(f"{n}-0", (n, 0), "PING", "{}", None))
        chunk = next(stream, None)
        if chunk is None:
            break
        sent.append(chunk)
    assert sent[-1] == b": access revoked\n\n"
    assert b": heartbeat\n\n" not in sent
    assert len(checks) == 3 and all(size >= 1 for size in checks)  # busy at every check
    assert sum(chunk.startswith(b"event: PING") for chunk in sent) > 3
