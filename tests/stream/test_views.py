"""The SSE views in-process (Flask test client): replay, RESYNC, audiences, limits, errors.

Each stream here is given a short maximum age so reading its whole body ends;
the same behaviour over a real gunicorn server is covered in test_live.py.
"""
from __future__ import annotations

from contextlib import contextmanager

import pytest

from tests.conftest import make_component, make_incident
from statuspage import create_app
from statuspage.extensions import db, redis_client
from statuspage.api.openapi import build_spec

from .servers import free_port
from .sse_client import Comment, Event


def _parse(body: bytes) -> list:
    items = []
    for block in body.decode().split("\n\n"):
        if not block:
            continue
        if block.startswith(":"):
            items.append(Comment(block[1:].strip()))
            continue
        fields = dict(line.split(": ", 1) for line in block.split("\n"))
        if "data" in fields:
            items.append(Event(fields.get("event", "message"), fields["data"], fields.get("id")))
    return items


def _read(client, path, **headers):
    response = client.get(path, headers=headers)
    return response, _parse(response.get_data())


def _events(items):
    return [i for i in items if isinstance(i, Event)]


def test_replay_and_audiences(client, api, short_streams):
    make_component(api, name="DB")
    before = {i for i, _f in redis_client.client.xrange("statuspage:events")}
    make_incident(api, title="Public one")
    make_incident(api, title="Secret one", visibility="internal")
    make_incident(api, title="Public two")
    stream_ids = [i.decode() for i, _f in redis_client.client.xrange("statuspage:events") if i not in before]

    response, items = _read(client, "/api/stream/public", **{"Last-Event-ID": "0-1"})
    assert response.status_code == 200
    assert items[0] == Comment("stream open")
    assert _events(items)[0].name == "RESYNC"   # 0-1 is older than the stream

    _r, items = _read(client, f"/api/stream/public?last_event_id={stream_ids[0]}")
    titles = [e.json["incident"]["title"] for e in _events(items)]
    assert titles == ["Public two"]  # after "Public one", and "Secret one" is internal
    assert Comment("heartbeat") in items
    assert items[-1] == Comment("max age reached, reconnect")

    _r, items = _read(client, "/api/stream/admin", **{"Last-Event-ID": stream_ids[0],
                                                      "Authorization": f"Bearer {api.token}"})
    assert [e.id for e in _events(items)] == stream_ids[1:]
    assert [e.json["incident"]["title"] for e in _events(items)] == ["Secret one", "Public two"]


def test_malformed_and_missing_stream(client, short_streams):
    _r, items = _read(client, "/api/stream/public", **{"Last-Event-ID": "garbage"})
    assert [(e.name, e.json, e.id) for e in _events(items)] == [
        ("RESYNC", {"reason": "malformed"}, "")]
    _r, items = _read(client, "/api/stream/public", **{"Last-Event-ID": "5-0"})
    assert [e.json["reason"] for e in _events(items)] == ["expired"]  # the stream is empty


def test_admin_stream_refuses_anonymous(client):
    response = client.get("/api/stream/admin")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_streams_are_in_the_openapi_document(app):
    paths = build_spec(app)["paths"]
    for audience in ("public", "admin"):
        operation = paths[f"/api/stream/{audience}"]["get"]
        assert "text/event-stream" in operation["responses"]["200"]["content"]
        assert "429" in operation["responses"]
    assert paths["/api/stream/public"]["get"]["security"] == []
    assert "401" in paths["/api/stream/admin"]["get"]["responses"]


@contextmanager
def _another_app(app, **config):
    """A second app on the same database, with its own settings; cleaned up after."""
    other = create_app({"INSTANCE_PATH": app.instance_path, "SECRET_KEY": "test-secret",
                        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                        "REDIS_URL": app.config["REDIS_URL"], **config})
    try:
        yield other
    finally:
        other.extensions["stream_hub"].close_all()
        other.extensions["public_generation"].stop()
        with other.app_context():
            db.engine.dispose()


def test_stream_connections_are_rate_limited_per_ip(app):
    with _another_app(app, RATELIMIT_ENABLED=True, STREAM_RATE_LIMIT="2 per minute",
                      STREAM_MAX_AGE_SECONDS=0.05) as limited:
        _assert_limited(limited.test_client())


def _assert_limited(client):
    for _ in range(2):
        assert client.get("/api/stream/public").status_code == 200
    refused = client.get("/api/stream/public")
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert "Retry-After" in refused.headers
    other = client.get("/api/stream/public", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200


def test_redis_unreachable_at_connect_is_503_not_500(app):
    with _another_app(app, RATELIMIT_ENABLED=False,
                      REDIS_URL=f"redis://127.0.0.1:{free_port()}/0") as down:
        response = down.test_client().get("/api/stream/public")
    assert response.status_code == 503
    assert response.json["status"] == 503


def test_an_open_stream_holds_no_database_connection(client, api, short_streams):
    from flask import current_app

    pool = db.engine.pool
    db.session.remove()
    response = client.get("/api/stream/admin", headers={"Authorization": f"Bearer {api.token}"},
                          buffered=False)
    assert response.status_code == 200  # authenticated against the database...
    body = iter(response.response)
    assert next(body).startswith(b": stream open")
    assert pool.checkedout() == 0  # ...and released it before streaming
    assert current_app.extensions["stream_hub"].subscriber_count >= 1
    response.close()
