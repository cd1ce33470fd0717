"""With PRODUCTION=1 the processes refuse weak settings at start, with one clear line."""
from __future__ import annotations

import subprocess

import pytest

from tests.stream.servers import BIN, ROOT, base_env


# Settings are checked before the processes touch the database.
pytestmark = pytest.mark.once(backend="postgres")


def _start(instance_dir, args, **settings) -> subprocess.CompletedProcess:
    env = base_env(instance_dir, PRODUCTION="1", **settings)
    env.pop("METRICS_TOKEN", None)
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


GUNICORN = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--bind", "127.0.0.1:0", "wsgi:app"]


@pytest.mark.parametrize("settings, message", [
    ({"SECRET_KEY": "short-key", "METRICS_TOKEN": "m"},
     "SECRET_KEY must be at least 32 characters"),
    ({"SECRET_KEY": "k" * 40}, "METRICS_TOKEN must be set"),
])
def test_web_refuses_to_start(instance_dir, settings, message):
    done = _start(instance_dir, GUNICORN, **settings)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert sum(message in line for line in output.splitlines()) == 1, output
    assert "Traceback" not in output


def test_flask_commands_refuse_to_start(instance_dir):
    done = _start(instance_dir, [str(BIN / "flask"), "worker", "--burst"], SECRET_KEY="short-key",
                  METRICS_TOKEN="m")
    assert done.returncode != 0
    assert "SECRET_KEY must be at least 32 characters" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
