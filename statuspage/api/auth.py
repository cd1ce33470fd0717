"""Who is calling the API: a bearer token, or a browser session with a CSRF token."""
from __future__ import annotations

import hashlib

from flask import g, request
from flask_login import current_user

from ..errors import Forbidden, Unauthorized
from ..extensions import csrf
from ..services import users
from ..services.context import Actor

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def authenticate() -> Actor:
    """Resolve the caller, raising Unauthorized (401) when there is none."""
    if "actor" in g:
        return g.actor
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise Unauthorized("Use 'Authorization: Bearer <token>'.")
        token = users.resolve_token(raw.strip())
        if token is None:
            raise Unauthorized("The token is invalid or has been revoked.")
        g.actor = users.actor_for(token.user, token)
        g.credential = users.Credential("token", token.id)
    elif current_user.is_authenticated:
        if request.method not in SAFE_METHODS:
            csrf.protect()  # a cookie alone must never authorise a write
        g.actor = users.actor_for(current_user._get_current_object())
        g.credential = users.Credential("session", current_user.session_key)
    else:
        raise Unauthorized("Authentication required.")
    return g.actor


def require(role: str) -> Actor:
    actor = authenticate()
    if not actor.can(role):
        raise Forbidden(f"This action needs the '{role}' role; you are '{actor.role}'.")
    return actor


def operator_or_none(role: str = "admin"):
    """On a public endpoint: the caller when a bearer token is sent (it must have
    ``role``), else None (an anonymous visitor)."""
    if request.headers.get("Authorization") is None:
        return None
    return require(role)


def current_actor() -> Actor:
    return g.actor


def current_credential() -> "users.Credential":
    """What authenticated this request, so a long response can check it again later."""
    return g.credential


def rate_limit_key() -> str:
    """Writes are limited per token (or per session user), else per address."""
    header = request.headers.get("Authorization")
    if header:
        return "tok:" + hashlib.sha256(header.encode()).hexdigest()[:32]
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"ip:{request.remote_addr}"
