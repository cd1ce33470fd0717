"""Public stream set-ups take turns, so a connect storm cannot queue everything else.

Setting up a stream (the request hooks, the rate limit, joining the hub) costs a web
process a millisecond or two of CPU. When thousands of readers connect at once, a
process working on all of them together answers an operator's write or a page load
only after the whole storm. Here at most ``concurrency`` set-ups run at a time; the
rest wait their turn without using the CPU, while every other request goes straight
through. A reader that waits longer than ``wait_seconds`` is answered at once with
the usual 503 (retry later, poll meanwhile): the view sees :data:`OVERLOADED`.
"""
from __future__ import annotations

import threading

# Set in the WSGI environ of a set-up that waited too long for its turn.
OVERLOADED = "statuspage.stream_setup_overloaded"


class SetupTurns:
    """WSGI middleware: requests under ``prefix`` run at most ``concurrency`` at a time."""

    def __init__(self, wsgi_app, prefix: str, concurrency: int, wait_seconds: float):
        self.wsgi_app = wsgi_app
        self.prefix = prefix
        self.wait_seconds = wait_seconds
        # Made in the serving process (the app is not preloaded): under gevent this is
        # the patched semaphore, which parks a greenlet rather than the whole process.
        self.turns = threading.BoundedSemaphore(concurrency)

    def __call__(self, environ, start_response):
        if not environ.get("PATH_INFO", "").startswith(self.prefix):
            return self.wsgi_app(environ, start_response)
        if not self.turns.acquire(timeout=self.wait_seconds):
            environ[OVERLOADED] = True  # answered at once, without a turn
            return self.wsgi_app(environ, start_response)
        try:
            # Returns once the view has answered; the stream itself is served after.
            return self.wsgi_app(environ, start_response)
        finally:
            self.turns.release()
