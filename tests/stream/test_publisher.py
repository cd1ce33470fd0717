"""Outbox → Redis stream: after commit only, exactly once, in order, and nothing lost."""
import json
import socket

from statuspage.extensions import connect_redis, db, redis_client
from statuspage.models import OutboxEvent
from statuspage.services import incidents
from statuspage.services.context import SYSTEM
from statuspage.services.outbox import publish_pending

from ..conftest import make_incident


def stream_entries(app):
    return [
        {k.decode(): v.decode() for k, v in fields.items()}
        for _id, fields in redis_client.client.xrange(app.config["STREAM_KEY"])
    ]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_committed_events_reach_the_stream_with_both_audiences(app, api):
    incident = make_incident(api)
    internal = make_incident(api, title="Internal only", visibility="internal")
    entries = stream_entries(app)
    assert [e["event"] for e in entries] == ["INCIDENT_CREATED", "INCIDENT_CREATED"]
    public = json.loads(entries[0]["public"])
    assert public["incident"]["id"] == incident["id"] and "summary" not in public["incident"]
    assert entries[1]["public"] == ""  # internal incidents never reach the public audience
    assert json.loads(entries[1]["admin"])["incident"]["id"] == internal["id"]
    rows = db.session.query(OutboxEvent).order_by(OutboxEvent.id).all()
    assert all(r.published_at is not None for r in rows)
    assert [r.stream_id for r in rows] == [i.decode() for i, _ in redis_client.client.xrange(app.config["STREAM_KEY"])]


def test_rolled_back_write_publishes_nothing(app):
    incidents.create(SYSTEM, {"title": "t", "severity": "SEV1"})
    db.session.flush()
    db.session.rollback()
    publish_pending()
    assert stream_entries(app) == []


def test_redis_outage_loses_nothing_and_duplicates_nothing(app, api):
    real = app.extensions["redis"]
    app.extensions["redis"] = connect_redis(f"redis://127.0.0.1:{closed_port()}")
    try:
        ids = [make_incident(api, title=f"During outage {n}")["id"] for n in range(3)]  # writes still succeed
    finally:
        app.extensions["redis"] = real
    assert stream_entries(app) == []
    assert db.session.query(OutboxEvent).filter(OutboxEvent.published_at.is_(None)).count() == 3
    assert publish_pending() == 3
    assert publish_pending() == 0  # once only
    titles = [json.loads(e["admin"])["incident"]["id"] for e in stream_entries(app)]
    assert titles == ids  # in commit order


def test_a_lost_published_mark_never_publishes_twice(app, api):
    make_incident(api)
    # Simulate a crash between XADD and marking the row published.
    db.session.execute(db.update(OutboxEvent).values(published_at=None, stream_id=None))
    db.session.commit()
    publish_pending()
    assert len(stream_entries(app)) == 1
    row = db.session.query(OutboxEvent).one()
    db.session.refresh(row)
    assert row.published_at is not None and row.stream_id
