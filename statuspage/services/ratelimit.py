"""Fixed-window counters in Redis for limits that are not per route (per address)."""
from __future__ import annotations

import hashlib
import logging
from typing import Optional

import redis
from flask import current_app

from ..extensions import redis_client

log = logging.getLogger(__name__)
_PREFIX = "statuspage:ratelimit:"


def _key(scope: str, identity: str) -> str:
    return f"{_PREFIX}{scope}:{hashlib.sha256(identity.encode()).hexdigest()[:32]}"


def hit(scope: str, identity: str, limit: int, window: int) -> Optional[int]:
    """Count one hit; return seconds to wait when over ``limit``, else None.

    Fails open: when Redis is unreachable nobody is locked out of subscribing.
    """
    if not current_app.config["RATELIMIT_ENABLED"]:
        return None
    key = _key(scope, identity)
    try:
        pipe = redis_client.client.pipeline()
        pipe.set(key, 0, ex=window, nx=True)  # opens the window (EXPIRE NX needs Redis 7)
        pipe.incr(key)
        pipe.ttl(key)
        _, count, ttl = pipe.execute()
    except redis.RedisError as exc:
        log.warning("rate limit store unavailable, allowing %s: %s", scope, exc)
        return None
    if count > limit:
        return max(int(ttl), 1)
    return None


def clear(scope: str, identity: str) -> None:
    """Forget an identity's count (a successful login ends a run of failures)."""
    try:
        redis_client.client.delete(_key(scope, identity))
    except redis.RedisError as exc:
        log.warning("rate limit store unavailable, not cleared %s: %s", scope, exc)
