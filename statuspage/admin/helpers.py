"""What every console view needs: the actor, role checks, the commit, safe redirects."""
from __future__ import annotations

from functools import wraps
from typing import Callable
from urllib.parse import urlsplit

from flask import redirect, request, url_for
from flask_login import current_user

from ..errors import Forbidden
from ..extensions import db
from ..services.context import ROLE_RANK, Actor
from ..services.users import actor_for


def actor() -> Actor:
    return actor_for(current_user._get_current_object())


def can(role: str) -> bool:
    return current_user.is_authenticated and ROLE_RANK[current_user.role] >= ROLE_RANK[role]


def requires(role: str) -> Callable:
    """Refuse (403 page) unless the signed-in user has at least ``role``."""
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not can(role):
                raise Forbidden(f"This needs the '{role}' role; you are '{current_user.role}'.")
            return view(*args, **kwargs)
        return wrapper
    return decorator


def commit() -> None:
    """The unit of work: one commit per request, rolled back on any error."""
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def safe_next(target: str | None, default: str) -> str:
    """Only a same-site absolute path: no scheme, no host, no '//' or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target or any(ord(c) < 32 for c in target):
        return default
    return target


def back_to(endpoint: str, anchor: str | None = None, **values):
    """303 See Other after a successful POST (PRG), optionally to a fragment."""
    url = url_for(endpoint, **values)
    return redirect(f"{url}#{anchor}" if anchor else url, code=303)


def form_text(name: str, limit: int = 10_000) -> str:
    return request.form.get(name, "")[:limit]


def page_arg(name: str = "page") -> int:
    """A page number from the query string; anything odd means the first page."""
    raw = request.args.get(name, "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 100_000 else 1
