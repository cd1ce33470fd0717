"""``flask seed-demo``: wipe domain data and load a curated, repeatable showcase.

Times are offsets from the moment of seeding (rounded to the minute); given the
same moment and secret key, two runs write identical rows, ids included.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from typing import Optional

from flask import current_app
from sqlalchemy import text, update

from ..extensions import cache, db, redis_client
from ..models import OutboxEvent, clock_at, utcnow
from ..services import users
from ..services.context import SYSTEM
from ..services.users import TOKEN_PREFIX
from .loader import load

DEMO_EMAIL = "admin@example.com"
DEMO_PASSWORD = "statuspage-demo"


def wipe() -> None:
    """Delete every row (children first), restart ids, and forget the old event stream."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    if db.engine.dialect.name == "postgresql":
        for table in db.metadata.sorted_tables:
            for column in table.primary_key.columns:
                if column.autoincrement is True or (column.autoincrement == "auto"
                                                    and len(table.primary_key.columns) == 1):
                    db.session.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                        "1, false)"))
    # Outbox ids restart at 1: stale stream entries and publish markers would collide.
    stream_key = current_app.config["STREAM_KEY"]
    client = redis_client.client
    client.delete(stream_key, *client.scan_iter(f"{stream_key}:published:*"))
    cache.clear()


def demo_token() -> str:
    """A stable demo token derived from the secret key, so reruns print the same one."""
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), b"statuspage-demo-token",
                      hashlib.sha256).digest()
    return TOKEN_PREFIX + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def seed(now: Optional[datetime] = None) -> str:
    """Wipe and load the showcase data; return the demo admin's API token."""
    now = (now or utcnow()).replace(second=0, microsecond=0)
    wipe()
    load(now, DEMO_PASSWORD)
    with clock_at(now):
        admin = users.find_by_email(DEMO_EMAIL)
        _token, raw = users.create_token(SYSTEM, admin, "demo", raw=demo_token())
    # The story's events already happened: none of them may email anyone now.
    db.session.execute(update(OutboxEvent).where(OutboxEvent.fanout_status == "pending")
                       .values(fanout_status="done"))
    db.session.commit()
    return raw
