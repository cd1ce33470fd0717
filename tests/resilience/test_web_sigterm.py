"""A web process sent SIGTERM with 100 SSE clients connected: they reconnect to the
other process with Last-Event-ID and miss nothing, receiving every event once, in order."""
from __future__ import annotations

import threading

import pytest

from tests.conftest import make_token
from tests.stream.sse_client import SSEClient

from .conftest import call

# Streams resume from Redis; the database plays no part in what is checked.
pytestmark = [pytest.mark.resilience, pytest.mark.once(backend="postgres")]

CLIENTS = 100
BEFORE, AFTER = 5, 10


class Follower(threading.Thread):
    """One browser tab: follows A, and on the end of the stream reconnects to B."""

    def __init__(self, first_port: int, second_port: int, last_title: str):
        super().__init__(daemon=True)
        self.ports, self.last_title = [first_port, second_port], last_title
        self.ids: list[str] = []
        self.reconnects = 0
        self.opened = threading.Event()
        self.error = None

    def run(self):
        last_id = None
        try:
            while True:
                port = self.ports[min(self.reconnects, 1)]
                headers = {"Last-Event-ID": last_id} if last_id else {}
                with SSEClient(port, "/api/stream/public", headers) as stream:
                    self.opened.set()
                    while (event := stream.next_event()) is not None:
                        assert event.name != "RESYNC", event.data
                        self.ids.append(event.id)
                        last_id = event.id
                        if event.json["incident"]["title"] == self.last_title:
                            return
                self.reconnects += 1
        except Exception as exc:  # reported by the test
            self.error = exc


def test_sigterm_with_100_streams_loses_no_event(stack, redis_proc):
    a, b = stack.web(), stack.web()
    token = make_token("responder")
    followers = [Follower(a.port, b.port, f"event {BEFORE + AFTER - 1}") for _ in range(CLIENTS)]
    for follower in followers:
        follower.start()
    for follower in followers:
        assert follower.opened.wait(30)

    def post(n):
        status, body = call(b, token, "POST", "/api/incidents", {"title": f"event {n}", "severity": "SEV3"})
        assert status == 201, body

    for n in range(BEFORE):
        post(n)
    a.proc.terminate()  # SIGTERM, as on a deploy; writes go on meanwhile
    for n in range(BEFORE, BEFORE + AFTER):
        post(n)
    assert a.proc.wait(30) == 0

    for follower in followers:
        follower.join(60)
    with redis_proc.client() as client:
        expected = [raw.decode() for raw, fields in client.xrange("statuspage:events") if fields[b"public"]]
    assert len(expected) == BEFORE + AFTER
    assert [f.error for f in followers if f.error] == []
    # Each left A for B; on a loaded machine B may end a stream too (a client then
    # simply reconnects again with its Last-Event-ID), so "at least once".
    assert all(f.reconnects >= 1 for f in followers)
    assert all(f.ids == expected for f in followers)
