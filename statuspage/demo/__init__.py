"""``flask seed-demo``: wipe domain data and load a curated, repeatable showcase.

Times are offsets from the moment of seeding (rounded to the minute); given the
same moment and secret key, two runs write identical rows, ids included.

Seeding ends with a ``demo.seeded`` audit event holding the highest id the demo
gave each kind of row people create (users, incidents, components, subscribers);
a row past those marks, or any row before a first seeding, is someone's real
data, which :func:`foreign_rows` reports so the command can refuse to wipe it.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from typing import Optional

from flask import current_app
from sqlalchemy import func, select, text, update

from ..extensions import cache, db, redis_client
from ..models import (ApiToken, AuditEvent, Component, Incident, OutboxEvent, Subscriber, User,
                      clock_at, utcnow)
from ..services import audit, users
from ..services.context import SYSTEM
from ..services.users import TOKEN_PREFIX
from .loader import load

DEMO_EMAIL = "admin@example.com"
DEMO_PASSWORD = "statuspage-demo"
SEEDED_ACTION = "demo.seeded"
# What people create and would miss: the demo refuses to wipe any of these it did not make.
OWNED = {"users": User, "incidents": Incident, "components": Component, "subscribers": Subscriber}


def _marks() -> dict[str, int] | None:
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == SEEDED_ACTION)
                              .order_by(AuditEvent.id.desc()).limit(1))
    return None if event is None else dict(event.after or {})


def foreign_rows() -> dict[str, int]:
    """Rows of :data:`OWNED` kinds that the last seeding did not create, per table (non-zero only)."""
    marks = _marks() or {}
    found = {}
    for name, model in OWNED.items():
        count = db.session.scalar(select(func.count()).select_from(model)
                                  .where(model.id > marks.get(name, 0)))
        if count:
            found[name] = count
    return found


def is_empty() -> bool:
    """True when no user, incident, component or subscriber exists (a fresh database)."""
    return not any(db.session.scalar(select(func.count()).select_from(model))
                   for model in OWNED.values())


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
        marks = {name: db.session.scalar(select(func.max(model.id))) or 0
                 for name, model in OWNED.items()}
        audit.record(SYSTEM, SEEDED_ACTION, "demo", None, after=marks)
    # The story's events already happened: none of them may email anyone now.
    db.session.execute(update(OutboxEvent).where(OutboxEvent.fanout_status == "pending")
                       .values(fanout_status="done"))
    db.session.commit()
    return raw


def banner() -> list[str]:
    """Where to look and how to sign in; the login and token only while they still work."""
    base = current_app.config["PUBLIC_BASE_URL"]
    login = (f"  (login {DEMO_EMAIL} / {DEMO_PASSWORD})"
             if users.authenticate(DEMO_EMAIL, DEMO_PASSWORD) else "")
    lines = [f"Status page:  {base}/status", f"Console:      {base}/admin/{login}"]
    raw = demo_token()
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == users.hash_token(raw)))
    if token is not None and token.revoked_at is None and token.user.active:
        lines.append(f"API token:    {raw}")
    return lines
