"""Fixtures for monitor tests: a target service in its own process, checks run by hand."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from statuspage.extensions import db
from statuspage.models import clock_at
from statuspage.monitoring.scheduler import run_and_record
from statuspage.services import monitors
from tests.monitor_target import Target


@pytest.fixture(scope="module")
def target():
    process = Target()
    yield process
    process.stop()


@pytest.fixture(autouse=True)
def _healthy_and_private_allowed(app, request):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    if "target" in request.fixturenames:
        request.getfixturevalue("target").set("healthy")
    yield
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False


class Clock:
    """The injected time checks run at: each :meth:`tick` is one interval later."""

    def __init__(self, app):
        self.app = app
        self.now = None  # starts at the first tick: monitors made before it are due then

    def tick(self, seconds: float = 10) -> list:
        """Run every check due after ``seconds`` more (as the worker would), return the claims."""
        self.now = (self.now or datetime.now(timezone.utc)) + timedelta(seconds=seconds)
        with clock_at(self.now):
            claims = monitors.claim_due()
            db.session.commit()
            for claim in claims:
                run_and_record(self.app, claim)
        db.session.expire_all()
        return claims


@pytest.fixture
def clock(app):
    return Clock(app)
