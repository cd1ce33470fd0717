"""The web process's gunicorn worker: gevent's, keeping connection slots for requests.

A connection kept open after its answer (HTTP keep-alive) holds one of the worker's
``worker_connections`` slots until its next request, or for gunicorn's ``keepalive``
seconds. On an outage day every reader's browser leaves one or more such idle connections
behind its page load; with the open streams they can take every slot, and new connections
(page loads, polls, an operator's write) then wait in the accept backlog until idle ones
time out. Once ``KEEP_ALIVE_SHARE`` of a listener's slots are open, this worker closes the
connection after answering a request that carries no credentials; signed-in users' and
API tokens' connections (operators') stay open for their next request. Each listener (the
main one, and the streams' own with ``STREAM_BIND``) has slots of its own, counted apart.

The gunicorn master imports this module (``gunicorn.conf.py``): gunicorn and the standard
library only, never the app.
"""
from __future__ import annotations

from collections import Counter
from functools import cached_property

from gunicorn.workers.ggevent import GeventWorker

# Open connections, as a share of worker_connections, from which anonymous ones are closed
# after their answer. The slots above it stay free for new connections.
KEEP_ALIVE_SHARE = 0.8


def carries_credentials(headers: list[tuple[str, str]], session_cookie: str) -> bool:
    """Whether a request (gunicorn's upper-cased header list) brings a token or a session."""
    for name, value in headers:
        if name == "AUTHORIZATION":
            return True
        if name == "COOKIE" and any(part.strip().partition("=")[0] == session_cookie
                                    for part in value.split(";")):
            return True
    return False


class Worker(GeventWorker):
    """gunicorn's gevent worker that stops keeping anonymous connections open when full."""

    @cached_property
    def open_connections(self) -> Counter:
        """Open connections by listener (its socket name, as gunicorn hands it on)."""
        return Counter()

    @cached_property
    def _ceiling(self) -> float:
        return self.worker_connections * KEEP_ALIVE_SHARE

    @cached_property
    def _session_cookie(self) -> str:
        # Asked on the first request, when the app is loaded.
        return getattr(self.wsgi, "config", {}).get("SESSION_COOKIE_NAME", "session")

    @cached_property
    def _listener_names(self) -> dict:
        # The name gunicorn hands to handle_request, asked of each listener once rather
        # than with a system call per connection.
        return {}

    def handle(self, listener, client, addr):
        name = self._listener_names.get(listener)
        if name is None:
            name = self._listener_names[listener] = listener.getsockname()
        self.open_connections[name] += 1
        try:
            super().handle(listener, client, addr)
        finally:
            self.open_connections[name] -= 1

    def handle_request(self, listener_name, req, sock, addr):
        if (self.open_connections[listener_name] >= self._ceiling
                and not carries_credentials(req.headers, self._session_cookie)):
            req.must_close = True  # answered with "Connection: close", then closed
        return super().handle_request(listener_name, req, sock, addr)
