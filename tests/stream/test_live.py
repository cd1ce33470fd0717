"""The SSE endpoints served by a real gunicorn gevent server, read by a real SSE client."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from statuspage.extensions import db, redis_client
from statuspage.models import OutboxEvent, User
from statuspage.services import incidents, users

from tests.conftest import make_token, make_user
from tests.helpers import session_key_for
from .conftest import call, create_incident
from .sse_client import Comment, SSEClient

pytestmark = pytest.mark.slow


def test_public_stream_opens_with_comment_retry_and_streaming_headers(web):
    with SSEClient(web.port, "/api/stream/public") as stream:
        assert stream.status == 200
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        assert stream.headers["Cache-Control"] == "no-cache"
        assert stream.headers["X-Accel-Buffering"] == "no"
        assert stream.headers.get("Content-Length") is None
        first = stream.next_item()
        assert isinstance(first, Comment)
        assert first.text == "stream open"
        assert stream.next_item() == Comment("heartbeat")  # silence → heartbeat
        assert stream.retry == 3000


def test_events_arrive_in_order_with_what_a_page_needs(web):
    token = make_token("admin")
    _status, component = call(web, token, "POST", "/api/components", {"name": "API"})
    with SSEClient(web.port, "/api/stream/public") as public, \
            SSEClient(web.port, "/api/stream/admin", {"Authorization": f"Bearer {token}"}) as admin:
        created = create_incident(web, token, title="Checkout errors", severity="SEV1",
                                  components=[{"id": component["id"], "status": "major_outage"}])
        incident_id = created["id"]
        path = f"/api/incidents/{incident_id}"
        assert call(web, token, "POST", path + "/transition",
                    {"to": "identified", "message": "Bad deploy"})[0] == 200
        assert call(web, token, "POST", path + "/updates",
                    {"body": "Rolling back", "visibility": "public"})[0] == 201
        assert call(web, token, "POST", path + "/updates",
                    {"body": "db-7 password rotated", "visibility": "internal"})[0] == 201
        assert call(web, token, "POST", path + "/updates", {"body": "Recovering"})[0] == 201

        got = public.until("INCIDENT_CREATED")
        created_event = got[-1].json
        assert created_event["incident"]["id"] == incident_id
        assert created_event["incident"]["title"] == "Checkout errors"
        assert created_event["incident"]["status"] == "investigating"
        assert created_event["incident"]["severity"] == "SEV1"
        assert created_event["incident"]["impact"]
        assert created_event["incident"]["components"] == [
            {"id": component["id"], "name": "API", "status": "major_outage"}]
        assert created_event["page"]["indicator"] == "critical"
        changed = public.next_event()
        assert changed.name == "INCIDENT_STATUS_CHANGED"
        assert changed.json["incident"]["status"] == "identified"
        assert changed.json["update"]["body"] == "Bad deploy"
        posted = public.events(2)
        # The internal update between the two public ones never reaches the public stream.
        assert [e.name for e in posted] == ["INCIDENT_UPDATE_POSTED"] * 2
        assert [e.json["update"]["body"] for e in posted] == ["Rolling back", "Recovering"]
        public_ids = [e.id for e in got + [changed] + posted]

        admin_events = admin.until("INCIDENT_CREATED")
        admin_events += admin.events(4)
        bodies = [e.json.get("update", {}).get("body") for e in admin_events[-4:]]
        assert bodies == ["Bad deploy", "Rolling back", "db-7 password rotated", "Recovering"]
        assert admin_events[-2].json["update"]["visibility"] == "internal"
        assert admin_events[-2].json["update"]["author"]

    keys = [tuple(map(int, i.split("-"))) for i in public_ids]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert "author" not in json.dumps([e.data for e in posted])


def test_internal_incident_never_reaches_the_public_stream(web):
    token = make_token("responder")
    with SSEClient(web.port, "/api/stream/public") as public, \
            SSEClient(web.port, "/api/stream/admin", {"Authorization": f"Bearer {token}"}) as admin:
        secret = create_incident(web, token, title="Internal: credential leak", visibility="internal")
        call(web, token, "POST", f"/api/incidents/{secret['id']}/updates", {"body": "rotating keys"})
        sentinel = create_incident(web, token, title="Public sentinel")
        first_public = public.next_event()
        assert first_public.json["incident"]["id"] == sentinel["id"]
        assert "credential" not in first_public.data
        seen = admin.until("INCIDENT_UPDATE_POSTED")
        assert seen[0].json["incident"]["visibility"] == "internal"


def test_replay_from_last_event_id_then_live_without_gap_or_duplicate(web):
    token = make_token("responder")
    with SSEClient(web.port, "/api/stream/public") as first:
        for n in range(4):
            create_incident(web, token, title=f"Incident {n}")
        events = first.events(4)
    assert [e.json["incident"]["title"] for e in events] == [f"Incident {n}" for n in range(4)]

    for headers, path in (({"Last-Event-ID": events[1].id}, "/api/stream/public"),
                          ({}, f"/api/stream/public?last_event_id={events[1].id}")):
        with SSEClient(web.port, path, headers) as resumed:
            missed = events[2:]
            replayed = resumed.events(len(missed))
            assert [e.id for e in replayed] == [e.id for e in missed]
            live = create_incident(web, token, title="After reconnect")
            nxt = resumed.next_event()
            assert nxt.json["incident"]["id"] == live["id"]
            assert nxt.id not in [e.id for e in events]
            events.append(nxt)


def test_malformed_last_event_id_gets_one_resync_then_live(web):
    token = make_token("responder")
    create_incident(web, token, title="Before")
    for bad in ("not-an-id", "12", "1-2-3"):
        tip = redis_client.client.xrevrange("statuspage:events", count=1)[0][0].decode()
        with SSEClient(web.port, "/api/stream/public", {"Last-Event-ID": bad}) as stream:
            resync = stream.next_event()
            assert resync.name == "RESYNC"
            assert resync.json == {"reason": "malformed"}
            assert resync.id == tip
            created = create_incident(web, token, title=f"After {bad}")
            nxt = stream.next_event()
            assert nxt.name == "INCIDENT_CREATED"
            assert nxt.json["incident"]["id"] == created["id"]


def test_expired_last_event_id_gets_resync(web):
    token = make_token("responder")
    with SSEClient(web.port, "/api/stream/public") as stream:
        for n in range(3):
            create_incident(web, token, title=f"Old {n}")
        old = stream.events(3)
    # Trim exactly, so the first two entries are no longer retained.
    redis_client.client.xtrim("statuspage:events", maxlen=1, approximate=False)
    with SSEClient(web.port, "/api/stream/public", {"Last-Event-ID": old[0].id}) as stream:
        resync = stream.next_event()
        assert (resync.name, resync.json["reason"], resync.id) == ("RESYNC", "expired", old[2].id)
        created = create_incident(web, token, title="Fresh")
        assert stream.next_event().json["incident"]["id"] == created["id"]
    with SSEClient(web.port, "/api/stream/public", {"Last-Event-ID": "99999999999999-0"}) as stream:
        assert stream.next_event().json["reason"] == "unknown"


def test_admin_stream_needs_a_session_or_token(web, app):
    with SSEClient(web.port, "/api/stream/admin") as anonymous:
        assert anonymous.status == 401
        assert anonymous.headers["Content-Type"] == "application/problem+json"
        assert json.loads(anonymous.response.read())["status"] == 401
    with SSEClient(web.port, "/api/stream/admin", {"Authorization": "Bearer sp_wrong"}) as bad:
        assert bad.status == 401

    viewer = make_user("viewer", password="correct horse battery")
    cookie = app.session_interface.get_signing_serializer(app).dumps(
        {"_user_id": session_key_for(viewer), "_fresh": True})
    with SSEClient(web.port, "/api/stream/admin", {"Cookie": f"session={cookie}"}) as browser:
        assert browser.status == 200
        assert browser.next_item() == Comment("stream open")


def test_rolled_back_write_publishes_nothing(web, app):
    token = make_token("responder")
    author = db.session.scalar(select(User))
    with SSEClient(web.port, "/api/stream/admin", {"Authorization": f"Bearer {token}"}) as admin:
        incidents.create(users.actor_for(author), {"title": "Never happened", "severity": "SEV3"})
        db.session.flush()
        assert db.session.scalar(select(func.count()).select_from(OutboxEvent)) > 0
        db.session.rollback()
        committed = create_incident(web, token, title="Committed")
        first = admin.next_event()
        assert first.json["incident"]["id"] == committed["id"]
    assert db.session.scalar(select(func.count()).select_from(OutboxEvent)) == 1
    titles = [json.loads(f[b"admin"])["incident"]["title"]
              for _id, f in redis_client.client.xrange("statuspage:events")]
    assert titles == ["Committed"]


def test_public_stream_never_names_an_internal_incident(web):
    token = make_token("admin")
    _status, component = call(web, token, "POST", "/api/components", {"name": "Queue"})
    with SSEClient(web.port, "/api/stream/public") as public:
        create_incident(web, token, title="db-7 failover", visibility="internal",
                        components=[{"id": component["id"], "status": "major_outage"}])
        create_incident(web, token, title="Public marker", severity="SEV4")
        got = public.until("INCIDENT_CREATED")
    changed = [event.json for event in got if event.name == "COMPONENT_STATUS_CHANGED"]
    assert len(changed) == 1 and changed[0]["to"] == "major_outage"
    assert changed[0]["incident_id"] is None
    assert all("db-7 failover" not in event.data for event in got)
    assert got[-1].json["incident"]["title"] == "Public marker"
