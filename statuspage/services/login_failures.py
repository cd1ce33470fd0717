"""Failed console sign-ins in the audit trail, without letting anyone flood it.

Per account and client address, the first few failures in a window each get a
row; the rest of that window shares one ``repeated_failures`` row whose count
keeps rising. The counter lives in Redis; when Redis is unreachable every
failure gets its own row (the trail stays complete, as the limits fail open).
"""
from __future__ import annotations

import hashlib
import logging
from typing import Optional

import redis
from flask import current_app

from ..extensions import db, redis_client
from ..models import utcnow
from . import audit
from .context import Actor, request_meta

log = logging.getLogger(__name__)
ANONYMOUS = Actor(type="anonymous", id=None, label="anonymous", role="viewer")
_PREFIX = "statuspage:loginfail:"


def _key(email: str, window: int) -> str:
    """The counter of this account and client address in the current window."""
    bucket = int(utcnow().timestamp()) // window  # the injected clock picks the window
    ip = request_meta.get().ip or ""
    return f"{_PREFIX}{bucket}:{hashlib.sha256(f'{email}|{ip}'.encode()).hexdigest()[:32]}"


def _count(key: str, window: int) -> tuple[int, Optional[int]]:
    """This failure's number in its window and the aggregate row's id, if there is one yet."""
    pipe = redis_client.client.pipeline()
    pipe.hincrby(key, "count", 1)
    pipe.expire(key, window)
    pipe.hget(key, "row")
    count, _, row = pipe.execute()
    return count, (int(row) if row else None)


def record(email: str) -> None:
    """Audit one failed sign-in for ``email`` from the current client (caller commits)."""
    each, window = current_app.config["LOGIN_FAILURE_AUDIT"]
    key = _key(email, window)
    try:
        count, row = _count(key, window)
    except redis.RedisError as exc:
        log.warning("login failure counter unavailable, auditing each failure: %s", exc)
        count, row = 1, None
    if count <= each:
        audit.record(ANONYMOUS, "auth.login_failed", "session", None,
                     after={"email": email, "reason": "invalid_credentials"})
        return
    after = {"email": email, "reason": "repeated_failures", "count": count - each,
             "window_seconds": window}
    if row is not None and audit.amend(row, after):
        return
    event = audit.record(ANONYMOUS, "auth.login_failed", "session", None, after=after)
    db.session.flush()
    try:
        redis_client.client.hset(key, "row", event.id)
    except redis.RedisError as exc:  # the next failure writes a row of its own
        log.warning("login failure counter unavailable: %s", exc)
