"""The web worker: a full process closes anonymous readers' connections after each answer, so their
idle kept-alive connections never take the slots kept back for requests; signed-in users
(operators) keep theirs open for their next request. With a listener of their own
(``STREAM_BIND``), streams queue and take slots apart from every other request."""
from __future__ import annotations

import http.client
import socket

import pytest

from statuspage.web_worker import carries_credentials
from tests.conftest import make_token
from tests.stream.servers import WebServer, base_env

pytestmark = pytest.mark.slow(seconds=10)


def _ask(port: int, headers: dict | None = None, timeout: float = 10) -> http.client.HTTPConnection:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("GET", "/api/public/status", headers=headers or {})
    response = conn.getresponse()
    response.read()
    assert response.status == 200
    conn.kept_open = not response.will_close
    return conn


def test_past_the_ceiling_anonymous_connections_close_and_signed_in_ones_stay(instance_dir, tmp_path):
    # 20 slots: connections are kept open for anyone while fewer than 16 are open.
    server = WebServer(base_env(instance_dir, WORKER_CONNECTIONS="20"), tmp_path)
    held = []
    try:
        for _ in range(15):
            held.append(_ask(server.port))
            assert held[-1].kept_open
        reader = _ask(server.port)  # the sixteenth open connection
        assert not reader.kept_open
        token = make_token("responder")
        operator = _ask(server.port, {"Authorization": f"Bearer {token}"})
        assert operator.kept_open
        operator.request("GET", "/api/public/status")  # and it answers on that connection
        assert operator.getresponse().status == 200
        for conn in held[:5] + [reader, operator]:
            conn.close()
        # With room again, readers' connections are kept open as before.
        again = _ask(server.port)
        assert again.kept_open
        held.append(again)
    finally:
        for conn in held:
            conn.close()
        server.stop()


def test_streams_listener_has_slots_and_a_queue_of_its_own(instance_dir, tmp_path):
    server = WebServer(base_env(instance_dir, WORKER_CONNECTIONS="20"), tmp_path,
                       stream_listener=True)
    storm = []
    try:
        stream = http.client.HTTPConnection("127.0.0.1", server.stream_port, timeout=10)
        stream.request("GET", "/api/stream/public")
        response = stream.getresponse()
        assert response.status == 200
        assert response.getheader("Content-Type").startswith("text/event-stream")
        assert response.readline() == b": stream open\n"
        stream.close()
        # A storm of new connections on the streams' listener, none of them answered yet,
        # takes all of its 20 slots...
        for _ in range(25):
            storm.append(socket.create_connection(("127.0.0.1", server.stream_port), timeout=10))
        # ...while a page load or an operator's request on a new connection to the main
        # listener is answered at once, and its connection is kept open: the storm's
        # connections count against their own listener's ceiling, not this one's.
        reader = _ask(server.port, timeout=5)
        assert reader.kept_open
        reader.close()
    finally:
        for sock in storm:
            sock.close()
        server.stop()


@pytest.mark.parametrize("headers, signed_in", [
    ([("AUTHORIZATION", "Bearer sp_x")], True),
    ([("COOKIE", "lang=de; session=abc")], True),
    ([("COOKIE", "session=abc")], True),
    ([("COOKIE", "lang=de")], False),
    ([("COOKIE", "mysession=abc")], False),
    ([("ACCEPT", "text/html")], False),
    ([], False),
])
def test_credentials_are_a_token_or_the_session_cookie(headers, signed_in):
    assert carries_credentials(headers, "session") is signed_in
