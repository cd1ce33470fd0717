"""Fixtures for the live-update tests: a real gunicorn (gevent) server sharing the test
app's database and Redis, and helpers to write through its API."""
from __future__ import annotations

import json

import pytest

from statuspage.extensions import redis_client

from .servers import WebServer, base_env


@pytest.fixture(autouse=True)
def _empty_stream(app):
    """Start from an empty event stream even if something ran on this Redis db before."""
    redis_client.client.delete(app.config["STREAM_KEY"])


@pytest.fixture
def short_streams(app):
    """Streams that end by themselves within a second, so a test client can read a whole body."""
    saved = {k: app.config[k] for k in ("STREAM_MAX_AGE_SECONDS", "STREAM_HEARTBEAT_SECONDS")}
    app.config.update(STREAM_MAX_AGE_SECONDS=0.3, STREAM_HEARTBEAT_SECONDS=0.1)
    yield
    app.config.update(saved)


@pytest.fixture(scope="module")
def web(app, instance_dir, tmp_path_factory):
    server = WebServer(base_env(instance_dir), tmp_path_factory.mktemp("web"))
    yield server
    server.stop()


def call(server, token, method, path, body=None):
    """JSON request through a live server; returns (status, parsed body)."""
    headers = {"Authorization": f"Bearer {token}"}
    raw = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        raw = json.dumps(body).encode()
    status, data = server.request(method, path, raw, headers)
    return status, (json.loads(data) if data else None)


def create_incident(server, token, **fields):
    status, body = call(server, token, "POST", "/api/incidents",
                        {"title": "Checkout errors", "severity": "SEV2", **fields})
    assert status == 201, body
    return body
