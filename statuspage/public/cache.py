"""Cached public responses: Redis via flask-caching, strong ETags, invalidation after commit.

Keys carry a generation number kept in Redis. Invalidation increments it, so
every process sees the change on its next request, and a rebuild that read
the database before a commit files its result under the old generation, where
nobody looks (no stale entry can outlive an invalidation). A small per-process
copy of the current generation's entries saves a Redis round trip and an
unpickle on hot paths. If Redis is unreachable the response is rebuilt from
the database: slower, never a 500.
"""
from __future__ import annotations

import hashlib
import logging
import secrets
import time
from typing import Callable

from flask import Flask, Response, current_app, g, request
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from ..extensions import cache
from ..models import (
    Component, ComponentGroup, ComponentStatusChange, Incident, IncidentComponent, IncidentUpdate,
    Maintenance, MaintenanceComponent, Postmortem,
)
from ..services import events

log = logging.getLogger(__name__)

GEN_KEY = "public:generation"
CACHE_CONTROL = "public, max-age=10, stale-while-revalidate=30, stale-if-error=86400"
ENTRY_TTL = 300  # seconds; uptime bars and "upcoming" windows move with the clock
_PUBLIC_MODELS = (Component, ComponentGroup, ComponentStatusChange, Incident, IncidentComponent,
                  IncidentUpdate, Maintenance, MaintenanceComponent, Postmortem)
LOCAL_TTL = 30  # seconds an in-process copy is trusted without asking Redis for the entry
_DIRTY = "public_cache_dirty"
_local: dict = {"generation": None, "entries": {}}


def _generation() -> int:
    value = cache.get(GEN_KEY)
    if value is None:
        # A random start, so a flushed Redis never brings back an old generation
        # (and with it another process's stale in-memory copies).
        cache.add(GEN_KEY, secrets.randbelow(2**48), timeout=0)
        value = cache.get(GEN_KEY)
    return int(value)


def invalidate(_event_ids=None) -> None:
    """Forget every cached public response (all processes)."""
    try:
        _generation()  # make sure the counter exists with its random start
        cache.cache.inc(GEN_KEY)
    except Exception as exc:  # Redis down: entries expire by TTL; nothing else to do
        log.warning("public cache invalidation failed: %s", exc)


def _lookup(name: str, build: Callable[[], bytes]) -> tuple[bytes, str]:
    try:
        generation = _generation()
    except Exception as exc:
        log.warning("public cache unavailable, rendering from the database: %s", exc)
        body = build()
        return body, _etag(body)
    if _local["generation"] != generation:
        _local.update(generation=generation, entries={})
    held = _local["entries"].get(name)
    if held is not None and held[1] > time.monotonic():
        return held[0]
    key = f"public:{generation}:{name}"
    try:
        entry = cache.get(key)
    except Exception:
        entry = None
    if entry is None:
        body = build()
        entry = (body, _etag(body))
        try:
            cache.set(key, entry, timeout=current_app.config.get("PUBLIC_CACHE_TTL", ENTRY_TTL))
        except Exception as exc:
            log.warning("public cache write failed: %s", exc)
    if len(_local["entries"]) < 256:
        _local["entries"][name] = (entry, time.monotonic() + LOCAL_TTL)
    return entry


def _etag(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def cached(name: str, build: Callable[[], bytes | str], mimetype: str) -> Response:
    """A 200 (or 304) for ``name``, rebuilt with ``build`` on a cache miss."""
    def _bytes() -> bytes:
        body = build()
        return body.encode() if isinstance(body, str) else body

    g.public_response = True
    body, etag = _lookup(name, _bytes)
    response = Response(body, mimetype=mimetype)
    response.set_etag(etag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.vary.add("Accept-Encoding")
    return response.make_conditional(request)


def reset_local() -> None:
    _local.update(generation=None, entries={})


@sa_event.listens_for(Session, "after_flush")
def _track(session, _ctx):
    # Edits that emit no outbox event (a component renamed) still change the page.
    if any(isinstance(o, _PUBLIC_MODELS) for o in (*session.new, *session.dirty, *session.deleted)):
        session.info[_DIRTY] = True


@sa_event.listens_for(Session, "after_rollback")
def _forget(session):
    session.info.pop(_DIRTY, None)


@sa_event.listens_for(Session, "after_commit")
def _after_commit(session):
    if session.info.pop(_DIRTY, False):
        try:
            invalidate()
        except RuntimeError:  # outside an app context (scripts): nothing cached to drop
            pass


class PublicSessionInterface(SecureCookieSessionInterface):
    """Cached public responses are the same for everyone, so they must not say
    "Vary: Cookie" (Flask-Login touches the session on every response, which
    would make shared caches keep one copy per visitor)."""

    def save_session(self, app, session, response):
        super().save_session(app, session, response)
        if g.get("public_response") and not session.modified:
            response.vary.discard("cookie")  # lower case: HeaderSet compares it as given


def init_app(app: Flask) -> None:
    app.session_interface = PublicSessionInterface()
    # Registered before the stream publisher: the cache is dropped before
    # clients hear about the change, so their refetch never sees stale data.
    events.on_commit(invalidate)
