"""Console sessions kept in the database, so they can end.

The signed cookie carries only a random key; the row (its SHA-256) says whose
session it is and when it was last used. A session ends when its row is
deleted (logout, password change, deactivation) or when it has been idle for
``SESSION_IDLE_TIMEOUT`` or alive for ``SESSION_MAX_AGE`` seconds. Nothing here
depends on Redis: an outage neither signs everyone out nor revives a revoked
session.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Optional

from flask import current_app
from sqlalchemy import delete, or_, select

from ..extensions import db
from ..models import User, UserSession, utcnow

# Activity moves the idle deadline, but a busy console must not write on every request.
_SEEN_RESOLUTION = timedelta(seconds=60)


def _hash(key: str) -> str:
    # Keys are 256-bit random: a fast hash is enough, and a leaked table holds no cookies.
    return hashlib.sha256(key.encode()).hexdigest()


def _limits(now: datetime) -> tuple[datetime, datetime]:
    """(seen after, created after): a session older on either count has ended."""
    config = current_app.config
    return (now - timedelta(seconds=config["SESSION_IDLE_TIMEOUT"]),
            now - timedelta(seconds=config["SESSION_MAX_AGE"]))


def start(user: User) -> str:
    """Open a session for ``user`` (flushed, not committed); returns its raw key.

    Sets ``user.session_key``, which is what Flask-Login stores in the cookie.
    """
    purge_expired()  # sign-ins keep the table bounded; no sweep needed
    key = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(UserSession(key_hash=_hash(key), user_id=user.id, created_at=now,
                               last_seen_at=now))
    db.session.flush()
    user.session_key = key
    return key


def live(key: str) -> Optional[UserSession]:
    """The session for a raw key if it has not ended and its user is active, else None."""
    if not key or len(key) > 100:
        return None
    row = db.session.scalar(select(UserSession).where(UserSession.key_hash == _hash(key)))
    if row is None:
        return None
    seen_after, created_after = _limits(utcnow())
    if row.last_seen_at <= seen_after or row.created_at <= created_after or not row.user.active:
        return None
    return row


def resume(key: str) -> Optional[User]:
    """The user of a live session, noting the activity (at most one write a minute)."""
    row = live(key)
    if row is None:
        return None
    now = utcnow()
    if now - row.last_seen_at >= _SEEN_RESOLUTION:
        row.last_seen_at = now
        db.session.commit()
    row.user.session_key = key
    return row.user


def end(key: Optional[str]) -> None:
    """End one session (logout); a key that names nothing is ignored."""
    if key:
        db.session.execute(delete(UserSession).where(UserSession.key_hash == _hash(key)))


def end_all(user_id: int) -> None:
    """End every session of a user (new password, deactivation, role change)."""
    db.session.execute(delete(UserSession).where(UserSession.user_id == user_id))


def purge_expired() -> None:
    """Delete the rows of sessions that have timed out."""
    seen_after, created_after = _limits(utcnow())
    db.session.execute(delete(UserSession).where(or_(UserSession.last_seen_at <= seen_after,
                                                     UserSession.created_at <= created_after)))
