"""Email jobs: fan an event out into deliveries, send a batch of deliveries.

They take ids and stay thin; an unexpected error (database down) raises so RQ
records it, and the worker's sweeps pick the rows up again.
"""
from __future__ import annotations

from ..extensions import db
from ..services import dispatch, notifications


def fanout_events(event_ids: list[int]) -> int:
    try:
        return sum(notifications.fanout(event_id) for event_id in event_ids)
    finally:
        db.session.remove()


def send_deliveries(delivery_ids: list[int]) -> dict:
    try:
        return dispatch.send_batch(delivery_ids)
    finally:
        db.session.remove()
