"""Email jobs, and the email channel of the after-commit pipeline.

The jobs take ids and stay thin; an unexpected error (database down) raises so
RQ records it, and the worker's sweeps pick the rows up again. Enqueueing never
raises: when Redis is down the rows stay PENDING (or the outbox row stays
awaiting fan-out) and a sweep finds them later.
"""
from __future__ import annotations

from typing import Iterable

from flask import current_app

from .. import queues
from ..extensions import db
from ..services import outbox
from ..services.email import deliveries, fanout, sending

QUEUE = "email"
_OPTIONS = {"job_timeout": 1800, "result_ttl": 60}


def fanout_events(event_ids: list[int]) -> int:
    """Job: turn each event into its deliveries; each window is queued for sending at once."""
    try:
        return sum(fanout.fanout(event_id, ready=send_later) for event_id in event_ids)
    finally:
        db.session.remove()


def send_deliveries(delivery_ids: list[int]) -> dict:
    """Job: send a batch of deliveries (every channel) over shared connections."""
    try:
        outcome = sending.send_batch(delivery_ids)
        send_later(outcome.pop("follow_up", ()))
        return outcome
    finally:
        db.session.remove()


def fanout_later(event_ids: Iterable[int]) -> None:
    """Enqueue the fan-out of these events."""
    ids = sorted(event_ids)
    if ids:
        queues.enqueue(fanout_events, ids, on=QUEUE, **_OPTIONS)


def send_later(delivery_ids: Iterable[int]) -> None:
    """Enqueue send jobs for these deliveries, in batches that share one SMTP connection."""
    ids = sorted(set(delivery_ids))
    size = current_app.config["DELIVERY_BATCH_SIZE"]
    for start in range(0, len(ids), size):
        queues.enqueue(send_deliveries, ids[start:start + size], on=QUEUE, **_OPTIONS)


def _fanout_step(committed: outbox.Committed) -> None:
    if committed.event_ids:
        fanout_later(outbox.awaiting_fanout(committed.event_ids))


def _send_step(committed: outbox.Committed) -> None:
    send_later(committed.sends.get(deliveries.CHANNEL, ()))


CHANNEL = outbox.Channel(deliveries.CHANNEL, fanout=_fanout_step, send=_send_step)
