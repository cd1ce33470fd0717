"""The worker SIGKILLed in the middle of sending to an SMTP server that stalls.

After a new worker starts, every delivery ends SENT or FAILED (none stays
SENDING) and no delivery that reached SENT is sent again. A message the server
accepted is marked durably before the next one goes out on its connection, so at
most the one in flight on each connection (``MAIL_CONNECTIONS`` in all) can be
sent twice, with the same Message-ID. Run against a server that stalls before
taking the message, and against one that takes it and then never answers, the
worst case, where exactly that one per connection goes out again; with PIPELINING
offered (the envelope of a message goes out before the previous one is answered)
and without.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from statuspage.extensions import db
from statuspage.models import EmailDelivery, Subscriber, utcnow
from tests.conftest import make_token

from .conftest import call, kill, scalars
from .procs import Sink, SmtpSink, wait_for

pytestmark = [pytest.mark.resilience, pytest.mark.slow(seconds=15)]

SUBSCRIBERS = 120
ACCEPT_BEFORE_STALL = 70
LANES = 2


def _deliveries():
    return scalars(select(EmailDelivery).order_by(EmailDelivery.id))


@pytest.mark.parametrize("pipelining,accept_stalled", [(False, False), (True, True), (False, True)],
                         ids=["stall-before-accepting", "pipelining-accept-then-stall",
                              "one-by-one-accept-then-stall"])
def test_worker_killed_mid_send_leaves_nothing_sending_and_resends_no_sent_row(
        stack, capsys, pipelining, accept_stalled):
    now = utcnow()
    db.session.add_all(Subscriber(email=f"user{n}@example.com", scope="all", confirmed_at=now)
                       for n in range(SUBSCRIBERS))
    db.session.commit()
    sink = SmtpSink(Sink(stall_after=ACCEPT_BEFORE_STALL, accept_stalled=accept_stalled,
                         pipelining=pipelining))
    stack.mail(sink.port)
    # A short lease so the next worker's sweep takes the dead worker's rows back soon.
    stack.settings.update(DELIVERY_LEASE_SECONDS="6", MAIL_CONNECTIONS=str(LANES))
    web = stack.web()
    first = stack.worker()
    try:
        status, body = call(web, make_token("responder"), "POST", "/api/incidents",
                            {"title": "Mail storm", "severity": "SEV1"})
        assert status == 201, body
        wait_for(lambda: sink.handler.stalled >= LANES, 180, "both send lanes to stall")
        kill(first)

        at_kill = {d.id: (d.status, d.message_id) for d in _deliveries()}
        sent_at_kill = {mid for status, mid in at_kill.values() if status == "SENT"}
        accepted_at_kill = sink.handler.message_ids()
        assert len(at_kill) == SUBSCRIBERS
        assert any(status == "SENDING" for status, _ in at_kill.values())

        sink.handler.stall_after = None  # the server recovers
        stack.worker()
        final = wait_for(lambda: (rows := _deliveries()) and all(
            d.status in ("SENT", "FAILED") for d in rows) and rows, 90,
            "every delivery to end SENT or FAILED")

        assert not [d for d in final if d.status == "SENDING"]
        assert all(d.status == "SENT" for d in final)  # the server took everything in the end
        accepted = sink.handler.message_ids()
        after_kill = accepted[len(accepted_at_kill):]
        # No delivery that reached SENT went out again.
        assert not sent_at_kill & set(after_kill)
        # Every delivery reached the server at least once, with its own Message-ID.
        assert set(accepted) == {d.message_id for d in final}
        resent = set(after_kill) & set(accepted_at_kill)
        # At most the message in flight on each SMTP connection at the kill: exactly
        # that one when the server had taken it without answering.
        assert len(resent) == LANES if accept_stalled else len(resent) <= LANES
        assert len(accepted) == SUBSCRIBERS + len(resent)
        with capsys.disabled():
            print(f"\n[worker kill] deliveries={SUBSCRIBERS} accepted before kill="
                  f"{len(accepted_at_kill)} SENT at kill={len(sent_at_kill)} "
                  f"sent again after restart (same Message-ID)={len(resent)}")
    finally:
        sink.stop()
