"""Transactional outbox: record events in the write's transaction, act after commit.

``record`` adds an :class:`OutboxEvent` to the current session. When that
session commits, every callback registered with :func:`on_commit` receives the
ids of the events it carried; a rollback discards them, so a rolled-back write
notifies no one. Publishing itself lives in :mod:`statuspage.stream.publisher`.
"""
from __future__ import annotations

import logging
from typing import Callable, Optional

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import OutboxEvent, utcnow

log = logging.getLogger(__name__)

_SESSION_KEY = "outbox_event_ids"
_hooks: list[Callable[[list[int]], None]] = []


def on_commit(callback: Callable[[list[int]], None]) -> Callable[[list[int]], None]:
    """Register ``callback(event_ids)`` to run after each commit that carried events."""
    if callback not in _hooks:
        _hooks.append(callback)
    return callback


def record(
    event_type: str,
    payload: dict,
    public_payload: Optional[dict] = None,
    *,
    incident_id: Optional[int] = None,
    maintenance_id: Optional[int] = None,
    notify: bool = False,
) -> OutboxEvent:
    """Add an outbox event to the current transaction.

    ``public_payload`` is None for events the public must never see;
    ``notify`` marks events that subscribers receive by email.
    """
    row = OutboxEvent(
        event_type=event_type,
        audience="public" if public_payload is not None else "admin",
        payload=payload,
        public_payload=public_payload,
        incident_id=incident_id,
        maintenance_id=maintenance_id,
        created_at=utcnow(),
        fanout_status="pending" if notify else "none",
    )
    db.session.add(row)
    return row


@sa_event.listens_for(Session, "after_flush")
def _collect(session, _flush_context):
    ids = session.info.setdefault(_SESSION_KEY, [])
    ids.extend(obj.id for obj in session.new if isinstance(obj, OutboxEvent))


@sa_event.listens_for(Session, "after_rollback")
def _discard(session):
    session.info.pop(_SESSION_KEY, None)


@sa_event.listens_for(Session, "after_commit")
def _dispatch(session):
    ids = session.info.pop(_SESSION_KEY, None)
    if not ids:
        return
    for hook in list(_hooks):
        try:
            hook(sorted(ids))
        except Exception:  # a failed side effect must never undo a committed write
            log.exception("after-commit hook %s failed", getattr(hook, "__name__", hook))
