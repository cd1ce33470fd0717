"""Run code against a fresh app in a child process sharing the test database and Redis.

For behaviour that changes process-wide singletons (the rate limiter's
settings, OpenTelemetry's global tracer) and so must not leak into the suite.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child_env(app, **extra) -> dict:
    env = os.environ.copy()
    env.update({
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "INSTANCE_PATH": app.instance_path,
        "SECRET_KEY": "test-secret",
        "PYTHONPATH": str(ROOT),
    })
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    env.update(extra)
    return env


def run_child(app, code: str, **extra) -> dict:
    """Run ``code`` (which prints one JSON object on its last line); return that object."""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=child_env(app, **extra),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr + done.stdout
    return json.loads(done.stdout.strip().splitlines()[-1])
