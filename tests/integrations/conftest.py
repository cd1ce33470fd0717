"""A receiver process per module, outbound requests to loopback allowed, quick retries."""
from __future__ import annotations

import pytest

from tests.receiver import Receiver


@pytest.fixture(scope="module")
def receiver():
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _outbound(app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)
    monkeypatch.setitem(app.config, "DELIVERY_BACKOFF_SECONDS", (1, 1))
