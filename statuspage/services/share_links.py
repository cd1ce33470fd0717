"""Share links: an admin opens a private page to people without an account, until
the link expires or is revoked. The secret is 256-bit random, shown once, and
only its hash is stored (as for API tokens)."""
from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Optional

from sqlalchemy import select

from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..models import ShareLink, utcnow
from . import audit
from .context import Actor
from .users import hash_token

PREFIX = "spl_"
MAX_DAYS = 366
_LAST_USED_RESOLUTION = timedelta(minutes=5)


def create(actor: Actor, label: str, expires_at) -> tuple[ShareLink, str]:
    """A new link and its raw secret (returned once, never stored)."""
    now = utcnow()
    if expires_at <= now:
        raise ValidationFailed({"expires_at": ["Must be in the future."]})
    if expires_at > now + timedelta(days=MAX_DAYS):
        raise ValidationFailed({"expires_at": [f"At most {MAX_DAYS} days ahead."]})
    raw = PREFIX + secrets.token_urlsafe(32)
    link = ShareLink(label=label, token_hash=hash_token(raw), prefix=raw[:12], created_by=actor.user_id,
                     created_at=now, expires_at=expires_at)
    db.session.add(link)
    db.session.flush()
    audit.record(actor, "share_link.create", "share_link", link.id,
                 after={"label": label, "expires_at": expires_at})
    return link, raw


def list_all() -> list[ShareLink]:
    """Every link, newest first (revoked and expired ones too: the admin sees their fate)."""
    return list(db.session.scalars(select(ShareLink).order_by(ShareLink.id.desc())))


def revoke(actor: Actor, link_id: int) -> ShareLink:
    """Stop a link working at once (idempotent)."""
    link = db.session.get(ShareLink, link_id)
    if link is None:
        raise NotFound("No such share link.")
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        audit.record(actor, "share_link.revoke", "share_link", link.id)
    return link


def _live(link: Optional[ShareLink]) -> Optional[ShareLink]:
    if link is None or link.revoked_at is not None or link.expires_at <= utcnow():
        return None
    return link


def resolve(raw: str) -> Optional[ShareLink]:
    """The live link for a raw secret, else None (unknown, revoked or expired)."""
    if not raw.startswith(PREFIX) or len(raw) > 100:
        return None
    link = _live(db.session.scalar(select(ShareLink).where(ShareLink.token_hash == hash_token(raw))))
    if link is not None:
        now = utcnow()
        if link.last_used_at is None or now - link.last_used_at > _LAST_USED_RESOLUTION:
            link.last_used_at = now
            db.session.commit()
    return link


def still_live(link_id: int) -> bool:
    """Whether a link remembered in a browser session still opens the page."""
    return _live(db.session.get(ShareLink, link_id)) is not None
