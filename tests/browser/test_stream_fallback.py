"""A reader refused a stream (the server's cap) polls the cached status document, then
takes a stream again once a slot is free, in a real Chromium against a real gunicorn."""
from __future__ import annotations

import socket

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer
from tests.conftest import make_component, make_incident

pytestmark = pytest.mark.browser

WAIT_MS = 20_000  # generous: the machine is shared; this is not a speed assertion


@pytest.fixture
def one_stream_server(app):
    """One worker that accepts a single public stream, polls every second, retries in 1-2 s."""
    server = LiveServer(app)
    server.env.update(STREAM_MAX_CLIENTS="1", STREAM_POLL_SECONDS="1", STREAM_RETRY_AFTER_SECONDS="1")
    server.start()
    yield server
    server.stop()


def _hold_the_only_stream(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(b"GET /api/stream/public HTTP/1.1\r\nHost: test\r\nAccept: text/event-stream\r\n\r\n")
    head = b""
    while b"stream open" not in head:
        head += sock.recv(4096)
    assert head.startswith(b"HTTP/1.1 200")
    return sock


def _wait_until(page, condition, timeout_ms: int = WAIT_MS) -> None:
    for _ in range(timeout_ms // 100):
        if condition():
            return
        page.wait_for_timeout(100)  # lets Playwright deliver the page's network events
    raise AssertionError("condition not met in time")


def test_refused_reader_polls_with_etag_then_streams_again(one_stream_server, watched, api):
    component = make_component(api, "API")
    holder = _hold_the_only_stream(one_stream_server.port)
    watch = watched()
    page = watch.page
    polls: list[tuple[str | None, int]] = []
    refusals: list[int] = []

    def on_response(response):
        if response.url.endswith("/api/public/status"):
            polls.append((response.request.headers.get("if-none-match"), response.status))
        elif "/api/stream/public" in response.url and response.status == 503:
            refusals.append(response.status)

    page.on("response", on_response)
    page.goto(one_stream_server.url + "/status")
    expect(page.locator("main[data-stream='polling']")).to_have_count(1, timeout=WAIT_MS)
    assert refusals, "the stream was refused at the cap"

    # Changes reach the polling page, and unchanged polls are 304s against the page's ETag.
    api.patch(f"/api/components/{component['id']}", json={"status": "major_outage"})
    expect(page.locator("#banner-title")).to_have_text("Major System Outage", timeout=WAIT_MS)
    make_incident(api, title="Seen by polling", severity="SEV2")
    expect(page.locator("article.incident", has_text="Seen by polling")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("main[data-stream='polling']")).to_have_count(1)
    _wait_until(page, lambda: any(etag and status == 304 for etag, status in polls))
    assert polls[0][0] is None and polls[0][1] == 200  # the first poll has no ETag yet

    # The slot frees up: the page takes a stream again, stops polling, and misses nothing.
    holder.close()
    expect(page.locator("main[data-stream='open']")).to_have_count(1, timeout=WAIT_MS)
    polled = len(polls)
    make_incident(api, title="Seen by streaming", severity="SEV3")
    expect(page.locator("article.incident", has_text="Seen by streaming")).to_be_visible(timeout=WAIT_MS)
    assert len(polls) <= polled + 1, "no polling once the stream is open (one may be in flight)"
    assert page.locator("article.incident", has_text="Seen by polling").count() == 1
    assert watch.errors == [] or all("503" in e for e in watch.errors), watch.errors
    assert watch.csp_violations() == []
