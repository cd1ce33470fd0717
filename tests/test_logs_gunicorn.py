"""Logs of the real web process (gunicorn as the Procfile runs it): every record once, redacted.

Black-box: gunicorn's stdout and stderr are read as an operator's log drain reads them.
"""
from __future__ import annotations

import json
import subprocess
import uuid

import pytest

from statuspage.services import tokens
from tests.resilience.procs import wait_for
from tests.stream.servers import BIN, ROOT, WebServer, base_env

# What a process writes to its log does not depend on the database behind it.
pytestmark = pytest.mark.once(backend="postgres")

EMAIL = "reader.private@example.org"
PASSWORD = "hunter2-correct-horse"
BEARER = "sp_" + "b" * 40


@pytest.fixture
def web_output(instance_dir, tmp_path):
    """Requests carrying secrets sent to a real gunicorn; its whole output, and the secrets."""
    server = WebServer(base_env(instance_dir, LOG_LEVEL="INFO"), tmp_path)
    secrets = {
        "confirm": tokens.make("confirm", 41, EMAIL),
        "manage": tokens.make("manage", 42, EMAIL),
        "unsubscribe": "plainlinktoken0123456789",  # not shaped like a signed value
    }
    probe = f"/probe-{uuid.uuid4().hex}"
    try:
        for purpose, token in secrets.items():
            server.request("GET", f"/subscriptions/{purpose}/{token}")
        server.request("GET", "/api/incidents", headers={"Authorization": f"Bearer {BEARER}"})
        server.request("GET", f"{probe}?email={EMAIL}&password={PASSWORD}&token={BEARER}")
        wait_for(lambda: probe in server.output(), 30, "the probe's access line")
    finally:
        server.stop()
    return server.output(), secrets, probe


def test_each_record_is_written_once(web_output):
    output, _secrets, probe = web_output
    lines = output.splitlines()
    assert sum(probe in line for line in lines) == 1
    for purpose in ("confirm", "manage", "unsubscribe"):
        assert sum(f"GET /subscriptions/{purpose}/" in line for line in lines) == 1, purpose
    assert sum("Booting worker" in line for line in lines) == 1


def test_every_line_is_redacted_json(web_output):
    output, secrets, _probe = web_output
    for line in output.splitlines():
        assert isinstance(json.loads(line), dict), line
    for secret in (*secrets.values(), EMAIL, PASSWORD, BEARER):
        assert secret not in output
    assert "/subscriptions/confirm/[redacted]" in output


def test_worker_lines_are_redacted_json_written_once(instance_dir):
    """``flask worker`` shares the setup: the confirmation email it writes is logged once,
    without the address or the link token."""
    from statuspage.extensions import db
    from statuspage.services import subscribers

    subscribers.subscribe(EMAIL)
    db.session.commit()
    done = subprocess.run([str(BIN / "flask"), "worker", "--burst"], cwd=ROOT,
                          env=base_env(instance_dir, LOG_LEVEL="INFO"), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    output = done.stdout + done.stderr
    assert sum("email to" in line and "written to" in line for line in output.splitlines()) == 1
    for line in output.splitlines():
        assert isinstance(json.loads(line), dict), line
    assert EMAIL not in output and "/confirm/" not in output.replace("/confirm/[redacted]", "")
