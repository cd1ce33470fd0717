"""Redis stopped while incidents are created and updated, then started again.

While it is down the API keeps answering 2xx and pages render from the
database; once it is back every missed event is published exactly once and in
order, an SSE client resuming with Last-Event-ID receives them in order, and
every email goes out exactly once.
"""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from statuspage.models import AuditEvent, EmailDelivery, OutboxEvent
from tests.conftest import make_token
from tests.helpers_subs import make_subscriber
from tests.stream.sse_client import SSEClient

from .conftest import call, count, scalars
from .procs import Sink, SmtpSink, wait_for

pytestmark = [pytest.mark.resilience, pytest.mark.slow(seconds=15)]

SUBSCRIBERS = ["ops@example.com", "cto@example.com"]
# The public page and its JSON; whichever this build serves is checked.
PUBLIC_PAGES = ("/status", "/api/public/status")


def _public_pages(app) -> list[str]:
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    return [path for path in PUBLIC_PAGES if path in rules]


def _write(web, token, method, path, body):
    status, answer = call(web, token, method, path, body)
    assert 200 <= status < 300, (status, answer)
    return answer


def _outage_writes(web, token) -> list[str]:
    """Creates, updates and transitions while Redis is down; returns the incident titles."""
    titles = []
    for n in range(3):
        incident = _write(web, token, "POST", "/api/incidents",
                          {"title": f"During the outage {n}", "severity": "SEV2"})
        titles.append(incident["title"])
        _write(web, token, "POST", f"/api/incidents/{incident['id']}/updates",
               {"body": f"Still looking into it ({n})."})
        _write(web, token, "PATCH", f"/api/incidents/{incident['id']}", {"severity": "SEV1"})
        _write(web, token, "POST", f"/api/incidents/{incident['id']}/transition",
               {"to": "identified", "message": "Found it."})
        # Reads come from the database.
        status, read = call(web, token, "GET", f"/api/incidents/{incident['id']}")
        assert status == 200 and read["status"] == "identified"
    return titles


def test_redis_outage_loses_nothing_and_duplicates_nothing(app, stack, redis_proc):
    for address in SUBSCRIBERS:
        make_subscriber(address)
    sink = SmtpSink(Sink())
    stack.mail(sink.port)
    web = stack.web()
    worker = stack.worker()
    token = make_token("responder")
    try:
        with SSEClient(web.port, "/api/stream/public") as stream:
            _write(web, token, "POST", "/api/incidents", {"title": "Before the outage", "severity": "SEV3"})
            before = stream.next_event()
            assert before.json["incident"]["title"] == "Before the outage"

        redis_proc.stop()
        titles = _outage_writes(web, token)
        for path in _public_pages(app):
            status, page = web.request("GET", path)
            assert status == 200, path
            assert titles[0].encode() in page
        waiting = count(OutboxEvent, OutboxEvent.published_at.is_(None))
        assert waiting >= 12  # every outage write left its event in the outbox

        redis_proc.start()
        wait_for(lambda: count(OutboxEvent, OutboxEvent.published_at.is_(None)) == 0, 60,
                 "the relay to publish the backlog")

        # Exactly once and in commit order on the stream.
        with redis_proc.client() as client:
            entries = client.xrange("statuspage:events")
        outbox_ids = [int(fields[b"outbox_id"]) for _id, fields in entries]
        all_ids = scalars(select(OutboxEvent.id).order_by(OutboxEvent.id))
        assert outbox_ids == all_ids

        # A client resuming from before the outage gets every public event, in order.
        public = [(raw.decode(), f[b"event"].decode()) for raw, f in entries
                  if f[b"public"] and raw.decode() > before.id]
        with SSEClient(web.port, "/api/stream/public", {"Last-Event-ID": before.id}) as resumed:
            got = resumed.events(len(public))
        assert [(e.id, e.name) for e in got] == public
        assert [json.loads(e.data)["incident"]["title"] for e in got
                if e.name == "INCIDENT_CREATED"] == titles

        # Every notifying event fans out once to each subscriber, each sent once.
        notifying = count(OutboxEvent, OutboxEvent.fanout_status != "none")
        expected = notifying * len(SUBSCRIBERS)

        def all_sent():
            rows = scalars(select(EmailDelivery).where(EmailDelivery.status == "SENT"))
            return rows if len(rows) == expected else None

        sent = wait_for(all_sent, 90, f"{expected} deliveries SENT")
        assert count(EmailDelivery) == expected
        assert count(OutboxEvent, OutboxEvent.fanout_status == "pending") == 0
        accepted = sink.handler.message_ids()
        assert sorted(accepted) == sorted(d.message_id for d in sent)
        assert len(set(accepted)) == len(accepted) == expected
        assert worker.proc.poll() is None  # the worker rode out the outage
        # And the audit trail has every write (5 per incident before and during the outage).
        assert count(AuditEvent, AuditEvent.target_type == "incident") >= 1 + 4 * len(titles)
    finally:
        sink.stop()
