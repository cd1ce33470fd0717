"""Subscriber imports on the worker, and their after-commit step."""
from __future__ import annotations

from typing import Iterable

from .. import queues
from ..extensions import db
from ..services import outbox, subscriber_csv

QUEUE = "default"


def run_import(import_id: int):
    """Job: apply one uploaded CSV of subscribers."""
    try:
        return subscriber_csv.run_import(import_id)
    finally:
        db.session.remove()


def import_later(import_ids: Iterable[int]) -> None:
    """Enqueue these imports."""
    for import_id in sorted(set(import_ids)):
        queues.enqueue(run_import, import_id, on=QUEUE, job_timeout=1800, result_ttl=3600)


def queue_after_commit(committed: outbox.Committed) -> None:
    """After-commit step: queue the imports the commit stored."""
    import_later(committed.sends.get(subscriber_csv.CHANNEL, ()))
