"""Send a batch of deliveries, each row keeping its own state: email over reused SMTP
connections (below), the HTTP channels through :mod:`..channels.http_sending`.

Failures are committed as soon as the server answers; successes are marked SENT
in small groups (every ``_MARK_EVERY`` messages or ``_MARK_SECONDS``), which is
what lets one worker keep up with a plain smtplib loop. Until its group commits,
each accepted message has a durable mark in Redis (:mod:`sent_markers`), stored
before the next message's content goes out on that connection (the next message
is built, and its envelope sent, while Redis answers); rows claimed again after a
crash are settled from those marks. So a worker killed mid-batch re-sends at most
the message in flight on each connection, with the same Message-ID (receivers can
de-duplicate).
A row marked SENT is never sent again.
"""
from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from flask import current_app

from ...domain.deliveries import Channel
from ...extensions import db
from .. import settings
from ..channels import http_sending
from . import content as email_content
from . import deliveries, sent_markers
from . import transport as mailer

log = logging.getLogger(__name__)
_MARK_EVERY = 50
_MARK_SECONDS = 0.5


def _skip_reason(row):
    if row.kind == "notification":
        if row.subscriber_id is None or row.confirmed_at is None:
            return "Not sent: the subscription is not confirmed."
        if row.unsubscribed_at is not None:
            return "Not sent: the subscriber unsubscribed before it went out."
        if row.suppressed_at is not None:
            return "Not sent: the address is suppressed after a permanent failure."
    if row.kind == "confirmation" and row.subscriber_id is None:
        return "Not sent: the subscriber was deleted."
    return None


def _fast_commits(conn) -> None:
    # One commit per message: on Postgres skip waiting for the WAL flush (a
    # server crash could lose the last few marks; the lease sweep then resends).
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET synchronous_commit TO OFF")


def send_batch(ids: list[int]) -> dict:
    """Claim, render, send and mark the given deliveries; returns counts by outcome
    (``follow_up``: deliveries the sending created, e.g. a disabled webhook's notice).

    The claimed rows are spread over lanes, each a thread with its own
    connections: ``MAIL_CONNECTIONS`` SMTP lanes for email, ``WEBHOOK_CONNECTIONS``
    HTTP lanes for the other channels, so one lane renders while another waits.
    """
    config = current_app.config
    with db.engine.connect() as conn:
        rows = deliveries.claim(conn, ids)
        accepted = deliveries.settle_accepted(conn, rows)
    rows = [row for row in rows if row.id not in accepted]
    outcome = {"sent": 0, "retry": 0, "failed": 0, "released": 0, "follow_up": []}
    if not rows:
        return {**outcome, "already_accepted": len(accepted)}
    # Stop well before the lease ends so the sweep never re-sends what we send.
    deadline = time.monotonic() + config["DELIVERY_LEASE_SECONDS"] / 2
    mail = [row for row in rows if row.channel == Channel.EMAIL]
    http = [row for row in rows if row.channel != Channel.EMAIL]
    # The page settings are read here, once: a lane reading them would hold a second
    # pooled database connection for its whole run.
    send_mail = partial(_send_rows, page=settings.current()) if mail else _send_rows
    results = (_in_lanes(mail, config["MAIL_CONNECTIONS"], send_mail, deadline)
               + _in_lanes(http, config["WEBHOOK_CONNECTIONS"], http_sending.send_rows, deadline))
    for result in results:
        for key in outcome:
            outcome[key] += result.get(key, 0 if key != "follow_up" else [])
    outcome["already_accepted"] = len(accepted)
    log.info("delivery batch: %s", {k: v for k, v in outcome.items() if k != "follow_up"})
    return outcome


def _in_lanes(rows: list, lanes: int, send, deadline: float) -> list[dict]:
    if not rows:
        return []
    lanes = max(1, min(lanes, len(rows)))
    if lanes == 1:
        return [send(rows, deadline)]
    app = current_app._get_current_object()

    def lane(chunk):
        with app.app_context():
            return send(chunk, deadline)

    with ThreadPoolExecutor(lanes, thread_name_prefix="send") as pool:
        return list(pool.map(lane, [rows[i::lanes] for i in range(lanes)]))


def _send_rows(rows: list, deadline: float, page: dict) -> dict:
    outcome = {"sent": 0, "retry": 0, "failed": 0, "released": 0}
    with db.engine.connect() as conn:
        _fast_commits(conn)
        builder = email_content.Builder(conn, page)
        transport = mailer.open_transport()
        marks = _Marks(conn)
        try:
            for index, row in enumerate(rows):
                if time.monotonic() > deadline:
                    marks.flush()
                    deliveries.release(conn, rows[index:])
                    conn.commit()
                    outcome["released"] += len(rows) - index
                    break
                if not _send_one(conn, builder, transport, row, outcome, marks):
                    rest = rows[index + 1:]
                    for other in rest:  # the link is down: the rest would fail the same way
                        deliveries.fail_transient(conn, other, outcome["last_error"])
                    outcome["retry"] += len(rest)
                    conn.commit()
                    break
        finally:
            marks.flush()
            marks.recorder.close()
            transport.close()
    outcome.pop("last_error", None)
    return outcome


class _Marks:
    """SENT marks waiting for their group commit, each durable in Redis (or committed)
    before the next message's content goes out on the lane's connection."""

    def __init__(self, conn):
        self.conn, self.pending, self.since = conn, [], time.monotonic()
        self.recorder = sent_markers.Recorder()
        self.unsettled = False

    def add(self, row, message_id: str) -> None:
        """Record an accepted message; its Redis mark is written now and awaited in :meth:`settle`."""
        self.pending.append((row, message_id))
        self.recorder.send(row.id, message_id)
        self.unsettled = True

    def settle(self) -> None:
        """Make the last accepted message's mark durable: called before any further content."""
        if not self.unsettled:
            return
        self.unsettled = False
        durable = self.recorder.wait()
        if (not durable or len(self.pending) >= _MARK_EVERY
                or time.monotonic() - self.since > _MARK_SECONDS):
            self.flush()

    def flush(self) -> None:
        """Commit the SENT marks, then drop their Redis copies."""
        self.recorder.wait()  # so a DEL below cannot overtake a SET still under way
        self.unsettled = False
        deliveries.mark_sent(self.conn, self.pending)
        self.conn.commit()
        sent_markers.forget(row.id for row, _mid in self.pending)
        self.pending, self.since = [], time.monotonic()


def _send_one(conn, builder, transport, row, outcome, marks) -> bool:
    """Send one row; False when the connection failed twice (give up on the batch)."""
    reason = _skip_reason(row)
    if reason:
        deliveries.fail_permanent(conn, row, reason)
        conn.commit()
        outcome["failed"] += 1
        return True
    try:
        message = builder.build(row)
    except email_content.ContentMissing as exc:
        deliveries.fail_permanent(conn, row, f"Not sent: {exc}.")
        conn.commit()
        outcome["failed"] += 1
        return True
    for try_number in (1, 2):
        try:
            transport.send(message, row.to_address, ready=marks.settle)
        except mailer.PermanentFailure as exc:
            deliveries.fail_permanent(conn, row, str(exc), suppress=exc.suppress)
            conn.commit()
            outcome["failed"] += 1
            return True
        except mailer.TransientFailure as exc:
            if exc.connection and try_number == 1:
                continue  # a dropped or recycled link: one fresh connection
            deliveries.fail_transient(conn, row, str(exc))
            conn.commit()
            outcome["retry"] += 1
            outcome["last_error"] = str(exc)
            return not exc.connection
        marks.add(row, message["Message-ID"])
        outcome["sent"] += 1
        return True
    return True  # pragma: no cover  (the loop always returns)
