"""A receiver process per module, outbound requests to loopback allowed, quick retries."""
from __future__ import annotations

import pytest

from tests.receiver import allow_private, receiver  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def _quick_retries(app, monkeypatch, allow_private):
    monkeypatch.setitem(app.config, "DELIVERY_BACKOFF_SECONDS", (1, 1))
