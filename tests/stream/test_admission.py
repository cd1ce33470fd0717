"""Public stream set-ups take turns: a connect storm waits in line without the CPU, every
other request goes straight through, and a reader kept waiting too long is told to poll."""
from __future__ import annotations

import threading

import pytest

from statuspage.stream.admission import OVERLOADED, SetupTurns
from tests.conftest import make_token

DEADLINE = 10


class Blocking:
    """A WSGI app whose stream requests stay inside until released; records what it saw."""

    def __init__(self):
        self.inside = threading.Event()
        self.release = threading.Event()
        self.seen: list[tuple[str, bool]] = []

    def __call__(self, environ, start_response):
        self.seen.append((environ["PATH_INFO"], bool(environ.get(OVERLOADED))))
        if environ["PATH_INFO"] == "/api/stream/public" and not environ.get(OVERLOADED):
            self.inside.set()
            assert self.release.wait(DEADLINE)
        start_response("200 OK", [])
        return [b"ok"]


def _call(app, path):
    return app({"PATH_INFO": path}, lambda status, headers: None)


def test_one_turn_at_a_time_for_streams_while_other_requests_pass():
    inner = Blocking()
    turns = SetupTurns(inner, "/api/stream/public", concurrency=1, wait_seconds=0.2)
    first = threading.Thread(target=_call, args=(turns, "/api/stream/public"))
    first.start()
    assert inner.inside.wait(DEADLINE)
    assert _call(turns, "/api/incidents") == [b"ok"]  # not behind the stream set-up
    _call(turns, "/api/stream/public")  # no turn free within wait_seconds: let in as overloaded
    inner.release.set()
    first.join(DEADLINE)
    _call(turns, "/api/stream/public")  # the turn is free again
    assert inner.seen == [("/api/stream/public", False), ("/api/incidents", False),
                          ("/api/stream/public", True), ("/api/stream/public", False)]


def test_a_turn_is_given_back_when_the_set_up_fails():
    def failing(environ, start_response):
        raise RuntimeError("set-up failed")

    turns = SetupTurns(failing, "/api/stream/public", concurrency=1, wait_seconds=0.05)
    for _ in range(3):
        with pytest.raises(RuntimeError):
            _call(turns, "/api/stream/public")
    assert turns.turns.acquire(timeout=0)


@pytest.fixture
def no_turns_free(app):
    turns = app.extensions["stream_setup_turns"]
    saved = turns.wait_seconds
    turns.wait_seconds = 0.05
    taken = 0
    while turns.turns.acquire(timeout=0):
        taken += 1
    assert taken == app.config["STREAM_SETUP_CONCURRENCY"]
    yield
    for _ in range(taken):
        turns.turns.release()
    turns.wait_seconds = saved


def test_a_reader_kept_waiting_is_answered_503_with_a_poll_hint(client, no_turns_free):
    response = client.get("/api/stream/public")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.json["poll_url"] == "/api/public/status"
    assert int(response.headers["Retry-After"]) == response.json["retry_after"]


def test_console_streams_and_requests_never_wait_for_a_turn(client, no_turns_free, short_streams):
    admin = client.get("/api/stream/admin", headers={"Authorization": f"Bearer {make_token('viewer')}"})
    assert admin.status_code == 200
    admin.get_data()
    assert client.get("/api/public/status").status_code == 200
