"""Keeping the static copy of the public site current (``STATIC_SNAPSHOT_DIR``).

Each commit that changes what the public sees marks a refresh as pending and,
if none was pending yet, enqueues one job: a burst of commits costs one or two
rebuilds, not one each. The job clears the mark before it renders, so a change
committed while it runs queues the next refresh and is never left out.
"""
from __future__ import annotations

import logging
from pathlib import Path

import redis
from flask import current_app

from .. import queues
from ..public import cache as public_cache
from ..public import snapshot
from ..services import outbox

log = logging.getLogger(__name__)
QUEUE = "events"  # ahead of email batches: the copy should follow a change within seconds
_PENDING = "statuspage:snapshot:pending"
_PENDING_TTL = 300  # a lost job (worker killed) stops blocking refreshes after this


def refresh_snapshot() -> str:
    """Job: rebuild the static copy and swap it in; the path of the new build."""
    current_app.extensions["redis"].delete(_PENDING)
    return str(snapshot.refresh(current_app._get_current_object(),
                                Path(current_app.config["STATIC_SNAPSHOT_DIR"])))


def request_refresh() -> bool:
    """Queue a refresh unless one is already waiting; True when a job was queued."""
    try:
        if not current_app.extensions["redis"].set(_PENDING, "1", nx=True, ex=_PENDING_TTL):
            return False
    except redis.RedisError as exc:
        log.warning("static snapshot refresh not queued (Redis unavailable): %s", exc)
        return False
    return queues.enqueue(refresh_snapshot, on=QUEUE, job_timeout=600, result_ttl=60) is not None


def refresh_after_commit(committed: outbox.Committed) -> None:
    """After-commit step: a public change queues a refresh of the static copy (when configured)."""
    if current_app.config.get("STATIC_SNAPSHOT_DIR") and public_cache.changes_public(committed):
        request_refresh()
