"""SMTP down for a while then back (retries succeed); SMTP refusing with 550 (FAILED, error kept)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from statuspage.models import AuditEvent, EmailDelivery
from tests.conftest import make_token
from tests.helpers_subs import make_subscriber
from tests.stream.servers import free_port

from .conftest import call, count, scalars
from .procs import Sink, SmtpSink, wait_for

pytestmark = [pytest.mark.resilience, pytest.mark.slow(seconds=12)]

ADDRESSES = [f"reader{n}@example.com" for n in range(5)]


def _deliveries():
    return scalars(select(EmailDelivery).order_by(EmailDelivery.id))


def _all(*statuses):
    """The deliveries when there are some and every one is in ``statuses``, else None."""
    rows = _deliveries()
    return rows if rows and all(d.status in statuses for d in rows) else None


def _declare(stack):
    for address in ADDRESSES:
        make_subscriber(address)
    web = stack.web()
    stack.worker()
    status, body = call(web, make_token("responder"), "POST", "/api/incidents",
                        {"title": "Mail trouble", "severity": "SEV2"})
    assert status == 201, body
    return wait_for(lambda: len(_deliveries()) == len(ADDRESSES) and _deliveries(), 30,
                    "one delivery per subscriber")


def test_smtp_down_then_back_retries_and_delivers_each_message_once(stack):
    port = free_port()  # nothing listens here yet: connections are refused
    stack.mail(port)
    stack.settings["DELIVERY_BACKOFF_SECONDS"] = "1,2,4,8,16,32"
    _declare(stack)
    wait_for(lambda: all(d.attempts >= 2 and d.status == "PENDING" for d in _deliveries()), 60,
             "at least two refused attempts per delivery")
    assert all("ConnectionRefusedError" in (d.last_error or "") for d in _deliveries())

    sink = SmtpSink(Sink(), port)
    try:
        done = wait_for(lambda: _all("SENT"), 90, "every delivery SENT once the server is back")
        assert {d.to_address for d in done} == set(ADDRESSES)
        assert all(d.last_error is None and d.attempts >= 3 for d in done)
        # Each message reached the server exactly once.
        assert sorted(m["To"] for m in sink.handler.accepted) == sorted(ADDRESSES)
        assert sorted(sink.handler.message_ids()) == sorted(d.message_id for d in done)
    finally:
        sink.stop()


def test_smtp_550_marks_failed_and_keeps_the_error(stack):
    sink = SmtpSink(Sink(rcpt_reply="550 5.1.1 Mailbox does not exist"))
    stack.mail(sink.port)
    try:
        _declare(stack)
        failed = wait_for(lambda: _all("FAILED"), 60, "every delivery FAILED")
        assert all(d.attempts == 1 for d in failed)  # permanent: no retries
        assert all(d.last_error == "550 5.1.1 Mailbox does not exist" for d in failed)
        assert sink.handler.accepted == []
        # The address is suppressed (audited) so no further mail is attempted.
        assert count(AuditEvent, AuditEvent.action == "subscriber.suppressed") == len(ADDRESSES)
    finally:
        sink.stop()
