"""The outbox relay: the worker's safety net for events the web could not publish.

Requests publish their events right after commit. When Redis was unreachable
at that moment the rows stay unpublished; this loop (a thread of ``flask
worker``) retries every ``RELAY_INTERVAL_SECONDS`` so they go out, once and
in order, as soon as Redis is back.
"""
from __future__ import annotations

import logging
import threading

from flask import Flask

from ..services import outbox

log = logging.getLogger(__name__)


def relay_once(app: Flask) -> int:
    """Publish everything pending; return how many events went out."""
    total = 0
    with app.app_context():
        while True:
            published = outbox.publish_pending()
            total += published
            if published < outbox.PUBLISH_BATCH:  # a full batch means more may wait
                return total


class Relay:
    """A daemon thread calling :func:`relay_once` until stopped."""

    def __init__(self, app: Flask, interval: float | None = None):
        self.app = app
        self.interval = interval or app.config["RELAY_INTERVAL_SECONDS"]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)

    def start(self) -> "Relay":
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                count = relay_once(self.app)
                if count:
                    log.info("relay published %d pending event(s)", count)
            except Exception:  # the database may be down too; try again next tick
                log.exception("outbox relay pass failed")
            self._stop.wait(self.interval)
