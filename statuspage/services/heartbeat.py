"""The worker's heartbeat in Redis, so the console can tell when no worker runs."""
from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Optional

import redis

from ..extensions import redis_client

KEY = "statuspage:worker:heartbeat"
STALE_AFTER_SECONDS = 60


def beat() -> None:
    redis_client.client.set(KEY, repr(time.time()), ex=7 * 86400)


def last_seen() -> Optional[datetime]:
    try:
        raw = redis_client.client.get(KEY)
    except redis.RedisError:
        return None
    return datetime.fromtimestamp(float(raw), timezone.utc) if raw else None


def status(queued: int) -> dict:
    """``{last_seen_at, running, warning}``; ``queued`` is the count of unsent mail."""
    seen = last_seen()
    running = seen is not None and (time.time() - seen.timestamp()) <= STALE_AFTER_SECONDS
    warning = None
    if not running and queued:
        warning = "Emails are queued but no worker is running."
    return {"last_seen_at": seen.isoformat() if seen else None, "running": running,
            "warning": warning}
