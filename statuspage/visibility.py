"""Who may read the reader-facing surfaces, and what a signed-in reader sees in addition.

With ``VISIBILITY = "private"`` every reader surface (pages, embed, feeds,
badges, calendar, public and Statuspage-compatible JSON, the public event
stream, the subscribe form) needs a signed-in user of any role, an API token,
or a live share link (``?share=...``; a browser remembers it in its session
and every request checks it is still live). Anyone else gets the sign-in page
(HTML) or a 401 problem+json, and nothing is cacheable by shared caches.

Independently of the mode, a signed-in user is an *insider*: ``/status`` shows
them internal incidents too, from cache entries of their own.
"""
from __future__ import annotations

from flask import Flask, current_app, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from .errors import Unauthorized
from .services import settings, share_links, users

SHARE_PARAM = "share"
SESSION_KEY = "share_link"
# Reader endpoints outside the public blueprint.
_READER_ENDPOINTS = frozenset({
    "api.public_status_document", "api.public_incident", "api.public_postmortem",
    "stream.public_stream", "subscriptions.subscribe_form", "subscriptions.subscribe", "api.subscribe",
})
_HTML_BLUEPRINTS = frozenset({"public", "subscriptions"})


def is_private() -> bool:
    """Whether the page is in private mode: ``VISIBILITY=private`` in the environment, or the
    stored setting. The environment can't be overruled by the stored setting, and it alone
    decides while the database is unreachable (cached pages may still be served then)."""
    if current_app.config["VISIBILITY"] == "private":
        return True
    try:
        return settings.current()["visibility"] == "private"
    except SQLAlchemyError:
        return False


def is_reader_endpoint(endpoint: str | None) -> bool:
    """Whether an endpoint is one of the surfaces a reader (not an operator) uses."""
    if not endpoint:
        return False
    return (endpoint.startswith("public.") or endpoint.startswith("api.v2_")
            or endpoint in _READER_ENDPOINTS)


def is_insider() -> bool:
    """A signed-in console user: they may see internal incidents on the page."""
    return bool(current_user.is_authenticated)


def personal() -> bool:
    """Whether this response depends on who asks (never shared, never held by the fast path)."""
    return is_private() or is_insider()


def _bearer_ok() -> bool:
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and users.resolve_token(raw.strip()) is not None


def _share_link_ok() -> bool:
    raw = request.args.get(SHARE_PARAM)
    if raw:
        link = share_links.resolve(raw)
        if link is not None:
            session[SESSION_KEY] = link.id
            return True
    remembered = session.get(SESSION_KEY)
    if isinstance(remembered, int):
        if share_links.still_live(remembered):
            return True
        session.pop(SESSION_KEY, None)
    return False


def _allowed() -> bool:
    return current_user.is_authenticated or _bearer_ok() or _share_link_ok()


def _wants_html() -> bool:
    if request.blueprint not in _HTML_BLUEPRINTS:
        return False
    return "." not in request.path.rsplit("/", 1)[-1]  # feeds, badges and calendars are files


def _gate():
    if not is_reader_endpoint(request.endpoint) or not is_private():
        return None
    if _allowed():
        return None
    if _wants_html():
        return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
    raise Unauthorized("This status page is private: sign in, send an API token or use a share link.")


def _private_caching(response):
    if is_reader_endpoint(request.endpoint) and personal():
        response.headers["Cache-Control"] = "private, no-cache"
    return response


def init_app(app: Flask) -> None:
    """Check access before every reader request; keep personal answers out of shared caches."""
    app.before_request(_gate)
    app.after_request(_private_caching)
    app.jinja_env.globals.update(is_insider=is_insider)
