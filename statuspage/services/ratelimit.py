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


def hit(scope: str, identity: str, limit: int, window: int) -> Optional[int]:
    """Count one hit; return seconds to wait when over ``limit``, else None.

    Fails open: when Redis is unreachable nobody is locked out of subscribing.
    """
    if not current_app.config["RATELIMIT_ENABLED"]:
        return None
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    key = f"{_PREFIX}{scope}:{digest}"
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
