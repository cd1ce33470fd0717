"""Publish committed outbox events to the Redis stream, in order and exactly once."""
from __future__ import annotations

import json
import logging

import redis
from flask import current_app
from sqlalchemy import select, update

from .. import metrics
from ..extensions import db, redis_client
from ..models import OutboxEvent, utcnow

log = logging.getLogger(__name__)

# XADD guarded by a per-event marker, atomically: whichever process (request
# after commit, or the worker's relay) gets there first publishes; the other
# gets the existing stream id back. That is what makes publishing exactly-once.
_PUBLISH_LUA = """
local existing = redis.call('GET', KEYS[2])
if existing then return existing end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*',
  'outbox_id', ARGV[2], 'event', ARGV[3], 'admin', ARGV[4], 'public', ARGV[5])
redis.call('SET', KEYS[2], id, 'EX', 604800)
return id
"""


def _marker_key(stream_key: str, event_id: int) -> str:
    return f"{stream_key}:published:{event_id}"


def publish_pending(limit: int = 500) -> int:
    """Publish unpublished outbox events oldest first; return how many were published.

    Any failure (Redis down) leaves the rest for the next call; nothing is lost
    and, thanks to the marker, nothing goes out twice.
    """
    stream_key = current_app.config["STREAM_KEY"]
    maxlen = current_app.config["STREAM_MAXLEN"]
    script = redis_client.client.register_script(_PUBLISH_LUA)
    published = 0
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(
                OutboxEvent.id,
                OutboxEvent.event_type,
                OutboxEvent.payload,
                OutboxEvent.public_payload,
            )
            .where(OutboxEvent.published_at.is_(None))
            .order_by(OutboxEvent.id)
            .limit(limit)
        ).all()
        try:
            for row in rows:
                stream_id = script(
                    keys=[stream_key, _marker_key(stream_key, row.id)],
                    args=[
                        maxlen,
                        row.id,
                        row.event_type,
                        json.dumps(row.payload, separators=(",", ":")),
                        "" if row.public_payload is None
                        else json.dumps(row.public_payload, separators=(",", ":")),
                    ],
                )
                conn.execute(
                    update(OutboxEvent)
                    .where(OutboxEvent.id == row.id)
                    .values(published_at=utcnow(), stream_id=stream_id.decode())
                )
                published += 1
                metrics.event_published(row.event_type)
        except redis.RedisError as exc:
            log.warning("event stream unavailable, %d event(s) left for the relay: %s",
                        len(rows) - published, exc)
        conn.commit()
    return published


def publish_after_commit(_event_ids: list[int]) -> None:
    """After-commit hook: publish this commit's events (and any backlog before them)."""
    publish_pending()
