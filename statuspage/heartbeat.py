"""The worker's liveness beacon: a unix timestamp in Redis, refreshed by a thread."""
from __future__ import annotations

import logging
import threading
import time
from typing import Optional

import redis

HEARTBEAT_KEY = "statuspage:worker:heartbeat"

log = logging.getLogger(__name__)


def beat(connection: redis.Redis) -> None:
    connection.set(HEARTBEAT_KEY, f"{time.time():.3f}")


def age_seconds(connection: redis.Redis) -> Optional[float]:
    """Seconds since the last worker beat, or None when no worker ever beat."""
    raw = connection.get(HEARTBEAT_KEY)
    if raw is None:
        return None
    try:
        return round(max(time.time() - float(raw), 0.0), 3)
    except ValueError:
        return None


def start(connection: redis.Redis, interval: float) -> threading.Event:
    """Beat now and then every ``interval`` seconds in a daemon thread; set the event to stop.

    A thread rather than an RQ hook: a long job must not make the worker look dead.
    """
    stop = threading.Event()

    def run():
        while True:
            try:
                beat(connection)
            except redis.RedisError as exc:  # Redis away: keep trying, health will show the age
                log.warning("worker heartbeat failed: %s", exc)
            if stop.wait(interval):
                return

    try:
        beat(connection)
    except redis.RedisError as exc:
        log.warning("worker heartbeat failed: %s", exc)
    threading.Thread(target=run, name="worker-heartbeat", daemon=True).start()
    return stop


STALE_AFTER_SECONDS = 60


def worker_status(connection: redis.Redis, queued: int) -> dict:
    """``{last_seen_at, running, warning}`` for the console; ``queued`` = unsent mail."""
    from datetime import datetime, timezone

    try:
        raw = connection.get(HEARTBEAT_KEY)
        seen = datetime.fromtimestamp(float(raw), timezone.utc) if raw else None
    except (redis.RedisError, ValueError):
        seen = None
    running = seen is not None and (time.time() - seen.timestamp()) <= STALE_AFTER_SECONDS
    warning = "Emails are queued but no worker is running." if not running and queued else None
    return {"last_seen_at": seen.isoformat() if seen else None, "running": running,
            "warning": warning}
