"""Audit trail writes: added to the caller's transaction, never committed here."""
from __future__ import annotations

from typing import Any, Optional

from ..extensions import db
from ..models import AuditEvent, utcnow
from .context import Actor, request_meta


def _jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def record(
    actor: Actor,
    action: str,
    target_type: str,
    target_id: Any = None,
    before: Optional[dict] = None,
    after: Optional[dict] = None,
) -> AuditEvent:
    """Add an audit event for a write in the current transaction."""
    meta = request_meta.get()
    event = AuditEvent(
        created_at=utcnow(),
        actor_type=actor.type,
        actor_id=actor.id,
        actor_label=actor.label,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        request_id=meta.request_id,
        ip=meta.ip,
    )
    db.session.add(event)
    return event


def amend(event_id: int, after: dict) -> bool:
    """Replace the ``after`` of an aggregate event (a running count); False if it is gone.

    Only rows that stand for many occurrences change; a single event is never edited.
    """
    event = db.session.get(AuditEvent, event_id)
    if event is None:
        return False
    event.after = _jsonable(after)
    return True


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields that changed, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def list_events(filters: dict, limit: int = 50, cursor: Optional[int] = None) -> tuple[list[AuditEvent], Optional[int]]:
    """Newest first; returns ``(events, next_cursor)`` for keyset pagination by id."""
    from sqlalchemy import select

    stmt = select(AuditEvent).order_by(AuditEvent.id.desc())
    if actor := filters.get("actor"):
        kind, _, actor_id = actor.partition(":")
        filters = {**filters, "actor_type": kind, "actor_id": int(actor_id) if actor_id else None}
    for name in ("actor_type", "actor_id", "target_type", "target_id", "action"):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(AuditEvent, name) == filters[name])
    if filters.get("action_prefix"):
        stmt = stmt.where(AuditEvent.action.startswith(filters["action_prefix"]))
    if filters.get("since") is not None:
        stmt = stmt.where(AuditEvent.created_at >= filters["since"])
    if cursor is not None:
        stmt = stmt.where(AuditEvent.id < cursor)
    rows = list(db.session.scalars(stmt.limit(limit + 1)))
    next_cursor = rows[limit - 1].id if len(rows) > limit else None
    return rows[:limit], next_cursor
