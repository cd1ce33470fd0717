"""Users, passwords and API tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import NamedTuple, Optional, Union

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..models import ApiToken, User, utcnow
from . import audit, user_sessions
from .context import Actor

TOKEN_PREFIX = "sp_"
# Dummy hashes (one per hashing method) so unknown emails cost as much as wrong
# passwords: no enumeration by timing.
_DUMMY_HASHES: dict[str, str] = {}
_LAST_USED_RESOLUTION = timedelta(seconds=60)


class Credential(NamedTuple):
    """What a caller signed in with: an API token (by id) or a console session (by raw key)."""

    kind: str  # "token" | "session"
    ref: Union[int, str]


def credential_live(credential: Credential) -> bool:
    """Whether a credential may still act: token not revoked, session not ended, user active."""
    if credential.kind == "token":
        token = db.session.get(ApiToken, credential.ref)
        return token is not None and token.revoked_at is None and token.user.active
    return user_sessions.live(credential.ref) is not None


def actor_for(user: User, via_token: Optional[ApiToken] = None) -> Actor:
    """The actor for a signed-in user, or for a user's API token."""
    if via_token is not None:
        return Actor(type="token", id=via_token.id, label=f"{user.name} (token {via_token.name})",
                     role=user.role, user_id=user.id)
    return Actor(type="user", id=user.id, label=user.name, role=user.role, user_id=user.id)


def hash_token(raw: str) -> str:
    """The stored hash of an API token."""
    # Tokens are 256-bit random: a fast hash is enough and lookups stay O(1).
    return hashlib.sha256(raw.encode()).hexdigest()


def get_user(user_id: int) -> User:
    """One user (404 when there is none)."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"User {user_id} does not exist.")
    return user


def find_by_email(email: str) -> Optional[User]:
    """The user with this address, or None."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(actor: Actor, email: str, name: str, role: str,
                password: Optional[str] = None) -> User:
    """Add a user (without a password: a token-only account)."""
    email = email.strip().lower()
    if find_by_email(email):
        raise Conflict(f"A user with email {email} already exists.")
    if password is not None and len(password) < 8:
        raise ValidationFailed({"password": ["Use at least 8 characters."]})
    user = User(email=email, name=name, role=role,
                password_hash=_hash(password) if password else None)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.created", "user", user.id,
                 after={"email": email, "name": name, "role": role})
    return user


def update_user(actor: Actor, user_id: int, data: dict) -> User:
    """Edit a user; a new password, role or deactivation ends their other sessions."""
    user = get_user(user_id)
    before = {k: getattr(user, k) for k in data if k != "password"}
    changed_password = "password" in data
    if changed_password:
        set_password(user, data.pop("password"))
    if changed_password or data.get("active") is False or data.get("role", user.role) != user.role:
        user_sessions.end_all(user.id)
    for key, value in data.items():
        setattr(user, key, value)
    db.session.flush()
    after = dict(data)
    if changed_password:
        after["password"] = "changed"  # never the secret itself
    audit.record(actor, "user.updated", "user", user.id, before=before, after=after)
    return user


def list_users() -> list[User]:
    """Every user, by name."""
    return list(db.session.scalars(select(User).order_by(User.name, User.id)))


def list_tokens(user_id: int) -> list[ApiToken]:
    """A user's API tokens, newest first."""
    get_user(user_id)
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)
                                   .order_by(ApiToken.id.desc())))


def change_password(actor: Actor, user: User, current: str, new: str) -> User:
    """The signed-in user's own change: the current password must match.

    Every session of this user ends, the caller's too: a copy of its cookie
    taken before the change must not outlive it (the caller signs in afresh).
    """
    if not user.password_hash or not check_password_hash(user.password_hash, current):
        raise ValidationFailed({"current_password": ["The current password is not correct."]})
    set_password(user, new)
    user_sessions.end_all(user.id)
    db.session.flush()
    audit.record(actor, "user.password_changed", "user", user.id)
    return user


def set_password(user: User, password: str) -> None:
    """Check and hash a new password (the caller ends the user's sessions)."""
    if len(password) < 8:
        raise ValidationFailed({"password": ["Use at least 8 characters."]})
    user.password_hash = _hash(password)


def _hash(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _dummy_hash() -> str:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash("not-a-real-password", method=method)
    return _DUMMY_HASHES[method]


def authenticate(email: str, password: str) -> Optional[User]:
    """The user for these credentials, or None; same cost whether or not the email exists."""
    user = find_by_email(email)
    if user is None or not user.password_hash:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def create_token(actor: Actor, user: User, name: str,
                 raw: Optional[str] = None) -> tuple[ApiToken, str]:
    """Create a token; the raw value is returned once and never stored.

    ``raw`` lets the demo loader derive a stable token from the secret key.
    """
    raw = raw or TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_token(raw),
                     prefix=raw[:10], created_at=utcnow())
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "token.created", "api_token", token.id,
                 after={"user_id": user.id, "name": name, "prefix": token.prefix})
    return token, raw


def revoke_token(actor: Actor, token_id: int) -> ApiToken:
    """Revoke an API token (idempotent)."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"Token {token_id} does not exist.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(actor, "token.revoked", "api_token", token.id,
                     after={"user_id": token.user_id, "name": token.name})
    return token


def resolve_token(raw: str) -> Optional[ApiToken]:
    """The live token for a raw bearer value (active user, not revoked), else None."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(raw)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    # Throttled so a busy script does not turn every read into a write.
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.commit()
    return token
