"""SMTP transactions against a real aiosmtpd, with and without PIPELINING offered.

With PIPELINING the lanes write MAIL, RCPT and DATA at once; without it one at a
time. Either way a refused recipient or message fails only its own delivery and
the connection carries on, and no message's content reaches the server before the
one accepted before it on that connection is recorded as accepted (the re-send
bound after a crash rests on that).
"""
from __future__ import annotations

import asyncio
import re

import pytest
from sqlalchemy import select

from statuspage.extensions import db, redis_client
from statuspage.models import EmailDelivery
from statuspage.services.email import sent_markers
from tests.conftest import make_incident
from tests.helpers_subs import deliveries, make_subscriber, subscriber, text_part
from tests.mailsink import Sink

BOTH = pytest.mark.parametrize("pipelining", [True, False], ids=["pipelining", "one-by-one"])
_DELIVERY = re.compile(r"<delivery-(\d+)\.")


class Picky(Sink):
    """Refuses chosen recipients at RCPT and chosen messages at the end of DATA, and
    notes, at each MAIL, whether RCPT and DATA were already written with it."""

    def __init__(self, pipelining: bool, rcpt: dict, data: dict, mail: str | None = None):
        super().__init__(pipelining=pipelining)
        self.rcpt, self.data, self.mail = rcpt, data, mail
        self.written_with_mail: list[bool] = []
        self.sessions: set[int] = set()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.sessions.add(id(session))
        # Peek at what has arrived but is not read yet (the stream's buffer). A client
        # that pipelines has written RCPT and DATA with MAIL; one that does not waits for
        # this reply first, so nothing can be there.
        buffered = server._reader._buffer
        if self.pipelining:
            for _ in range(500):  # a deadline of 5 s for the rest of the write to arrive
                if b"DATA\r\n" in buffered:
                    break
                await asyncio.sleep(0.01)
        self.written_with_mail.append(b"RCPT TO:" in buffered)
        if self.mail:
            return self.mail
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.rcpt:
            return self.rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        [address] = envelope.rcpt_tos
        if address in self.data:
            return self.data[address]
        return await super().handle_DATA(server, session, envelope)


@BOTH
def test_refusals_fail_only_their_own_delivery_and_the_connection_carries_on(
        app, api, smtp, run_worker, monkeypatch, pipelining):
    monkeypatch.setitem(app.config, "MAIL_CONNECTIONS", 1)  # one connection for all six
    sink = smtp.start(handler=Picky(pipelining,
                                    rcpt={"gone@example.com": "550 5.1.1 No such user",
                                          "grey@example.com": "451 4.7.1 Try again later"},
                                    data={"spam@example.com": "554 5.7.1 Message refused"}))
    addresses = ["a@example.com", "gone@example.com", "b@example.com", "grey@example.com",
                 "spam@example.com", "c@example.com"]
    for address in addresses:
        make_subscriber(address)
    make_incident(api, summary="Line one\n\n.starts with a dot\n\n.\n\nlast")
    run_worker()

    state = {d.to_address: (d.status, d.last_error) for d in deliveries()}
    assert state["gone@example.com"] == ("FAILED", "550 5.1.1 No such user")
    assert state["grey@example.com"] == ("PENDING", "451 4.7.1 Try again later")
    assert state["spam@example.com"] == ("FAILED", "554 5.7.1 Message refused")
    assert all(state[a] == ("SENT", None) for a in ("a@example.com", "b@example.com", "c@example.com"))
    assert subscriber("gone@example.com").suppressed_at is not None
    assert subscriber("grey@example.com").suppressed_at is None
    # Each accepted message once, all over the one connection, the dot lines intact.
    assert sorted(m["To"] for m in sink.messages) == ["a@example.com", "b@example.com", "c@example.com"]
    assert len(sink.sessions) == 1
    assert all(".starts with a dot\n\n.\n\nlast" in text_part(m).replace("\r\n", "\n")
               for m in sink.messages)
    # Pipelined when offered, one command at a time when not.
    assert sink.written_with_mail == [pipelining] * len(addresses)


@BOTH
def test_a_refused_sender_or_a_closing_server_is_retried_later_not_failed(
        app, api, smtp, run_worker, monkeypatch, pipelining):
    monkeypatch.setitem(app.config, "MAIL_CONNECTIONS", 1)
    smtp.start(handler=Picky(pipelining, rcpt={}, data={}, mail="530 5.7.0 Authentication required"))
    make_subscriber("a@example.com")
    make_incident(api)
    run_worker()
    [row] = deliveries()
    assert (row.status, row.last_error) == ("PENDING", "sender refused: 530 5.7.0 Authentication required")

    sink = smtp.start(handler=Picky(pipelining, rcpt={"b@example.com": "421 4.3.2 Shutting down"}, data={}))
    make_subscriber("b@example.com")
    make_subscriber("c@example.com")
    make_incident(api, title="Second")
    run_worker()
    # A 421 ends the session (the lane connects again for whatever follows).
    state = {d.to_address: (d.status, d.last_error) for d in deliveries() if d.subject.endswith("Second")}
    assert state == {"a@example.com": ("SENT", None), "b@example.com": ("PENDING", "421 4.3.2 Shutting down"),
                     "c@example.com": ("SENT", None)}
    assert sorted(m["To"] for m in sink.messages) == ["a@example.com", "c@example.com"]


class Checking(Sink):
    """At each message's content, checks that the message accepted before it on the
    same connection is already recorded as accepted: a Redis mark or a SENT row."""

    def __init__(self, pipelining: bool, engine, redis):
        super().__init__(pipelining=pipelining)
        self.engine, self.redis = engine, redis
        self.last: dict[int, int] = {}
        self.checked = 0
        self.unrecorded: list[int] = []

    def _recorded(self, delivery_id: int) -> bool:
        if self.redis.exists(sent_markers.KEY.format(delivery_id)):
            return True
        with self.engine.connect() as conn:
            return conn.execute(select(EmailDelivery.status).where(
                EmailDelivery.id == delivery_id)).scalar() == "SENT"

    async def handle_DATA(self, server, session, envelope):
        previous = self.last.get(id(session))
        if previous is not None:
            self.checked += 1
            if not self._recorded(previous):
                self.unrecorded.append(previous)
        self.last[id(session)] = int(_DELIVERY.search(envelope.content.decode()).group(1))
        return await super().handle_DATA(server, session, envelope)


@BOTH
def test_no_message_goes_out_before_the_one_before_it_is_recorded_as_accepted(
        app, api, smtp, run_worker, monkeypatch, pipelining):
    monkeypatch.setitem(app.config, "MAIL_CONNECTIONS", 2)
    sink = smtp.start(handler=Checking(pipelining, db.engine, redis_client.client))
    for n in range(40):
        make_subscriber(f"reader{n}@example.com")
    make_incident(api)
    run_worker()
    assert [d.status for d in deliveries()] == ["SENT"] * 40
    assert len(sink.messages) == 40
    assert sink.checked == 40 - len(sink.last)  # every message but each connection's first
    assert sink.unrecorded == []


def test_the_next_batch_reuses_the_session_and_connects_again_when_it_went_stale(
        app, api, smtp, run_worker, monkeypatch):
    from aiosmtpd.controller import Controller

    from statuspage.services.email.sessions import kept

    monkeypatch.setitem(app.config, "MAIL_CONNECTIONS", 1)
    sink = smtp.start(handler=Picky(True, rcpt={}, data={}))
    make_subscriber("reader@example.com")
    make_incident(api, title="First")
    run_worker()
    make_incident(api, title="Second")
    run_worker()
    assert len(sink.messages) == 2 and len(sink.sessions) == 1  # one session for both batches

    # Idle too long: ended, and the next batch greets the server anew.
    monkeypatch.setattr(kept, "IDLE_SECONDS", 0.0)
    make_incident(api, title="Third")
    run_worker()
    assert len(sink.messages) == 3 and len(sink.sessions) == 2
    monkeypatch.setattr(kept, "IDLE_SECONDS", 60.0)

    # The server went away with the session still kept: the first command fails and
    # the lane connects again (to the server now on that port); nothing is lost.
    smtp.controllers.pop().stop()
    again = Picky(True, rcpt={}, data={})
    controller = Controller(again, hostname="127.0.0.1", port=app.config["MAIL_PORT"])
    controller.start()
    try:
        make_incident(api, title="Fourth")
        run_worker()
    finally:
        controller.stop()
    assert [m["Subject"].rsplit(": ", 1)[1] for m in again.messages] == ["Fourth"]
    assert [d.status for d in deliveries()] == ["SENT"] * 4
