"""A write that fails after its flush, through a real web process: no event, no email, no audit row.

The database itself refuses the outbox row of one incident: on Postgres a
deferred constraint trigger fires at COMMIT, after every flush succeeded; on
SQLite (no deferred triggers) a trigger refuses the outbox insert, which the
unit of work flushes after the incident, its timeline entry and its audit row.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from statuspage.extensions import db
from statuspage.models import AuditEvent, EmailDelivery, Incident, OutboxEvent
from tests.conftest import make_token
from tests.helpers_subs import make_subscriber
from tests.stream.sse_client import SSEClient

from .conftest import call, count, scalars
from .procs import Sink, SmtpSink, wait_for

pytestmark = pytest.mark.resilience

MARK = "FAIL-AFTER-FLUSH"

POSTGRES_TRIGGER = [
    f"""CREATE FUNCTION refuse_marked_event() RETURNS trigger AS $$
    BEGIN
      IF NEW.payload::text LIKE '%{MARK}%' THEN RAISE EXCEPTION 'refused at commit'; END IF;
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE CONSTRAINT TRIGGER refuse_marked_event AFTER INSERT ON outbox_events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_marked_event()""",
]
POSTGRES_DROP = ["DROP TRIGGER IF EXISTS refuse_marked_event ON outbox_events",
                 "DROP FUNCTION IF EXISTS refuse_marked_event()"]
SQLITE_TRIGGER = [f"""CREATE TRIGGER refuse_marked_event BEFORE INSERT ON outbox_events
    WHEN NEW.payload LIKE '%{MARK}%' BEGIN SELECT RAISE(ABORT, 'refused'); END"""]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS refuse_marked_event"]


def _run(statements):
    db.session.rollback()  # the test's own reads must not hold a lock the DDL waits for
    with db.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


@pytest.fixture
def refusing_database():
    postgres = db.engine.dialect.name == "postgresql"
    _run(POSTGRES_TRIGGER if postgres else SQLITE_TRIGGER)
    yield lambda: _run(POSTGRES_DROP if postgres else SQLITE_DROP)
    _run(POSTGRES_DROP if postgres else SQLITE_DROP)


def test_write_failing_after_flush_leaves_no_trace(stack, redis_proc, refusing_database):
    make_subscriber("ops@example.com")
    sink = SmtpSink(Sink())
    stack.mail(sink.port)
    web = stack.web()
    stack.worker()
    token = make_token("responder")
    key = {"Idempotency-Key": "create-once"}
    try:
        with SSEClient(web.port, "/api/stream/admin", {"Authorization": f"Bearer {token}"}) as stream:
            status, body = call(web, token, "POST", "/api/incidents",
                                {"title": MARK, "severity": "SEV1"}, key)
            assert status == 500, body
            assert body["title"] == "Internal server error"

            status, fine = call(web, token, "POST", "/api/incidents",
                                {"title": "Fine", "severity": "SEV3"})
            assert status == 201, fine
            # The next event on the stream is the good write's: nothing of the failed one.
            assert stream.next_event().json["incident"]["title"] == "Fine"

        wait_for(lambda: scalars(select(EmailDelivery.status)) == ["SENT"], 60,
                 "the good incident's one email")
        assert [m["Subject"] for m in sink.handler.accepted if MARK in m["Subject"]] == []
        assert len(sink.handler.accepted) == 1
        assert scalars(select(Incident.title)) == ["Fine"]
        assert count(AuditEvent, AuditEvent.target_type == "incident") == 1
        assert all(MARK not in str(p) for p in scalars(select(OutboxEvent.payload)))
        with redis_proc.client() as client:
            assert MARK.encode() not in b"".join(
                value for _id, fields in client.xrange("statuspage:events") for value in fields.values())

        # The failed request stored no idempotent answer: once the database accepts it,
        # the same key creates the incident.
        refusing_database()
        status, body = call(web, token, "POST", "/api/incidents",
                            {"title": MARK, "severity": "SEV1"}, key)
        assert status == 201, body
    finally:
        sink.stop()
