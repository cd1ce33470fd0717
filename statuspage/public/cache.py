"""Cached public responses: Redis via flask-caching, strong ETags, invalidation after commit.

Entries are filed under a generation number (see :mod:`.generation`).
Invalidation moves to a new generation, so every process sees the change at
once, and a rebuild that read the database before a commit files its result
under the old generation, where nobody looks. Each process also keeps the
current generation's entries in memory, so a hit costs no Redis round trip.
On a miss only one request per process, and one process at a time (a short
Redis lock), renders; the others wait for its result rather than stampede the
database. If Redis is unreachable the response is rendered from the database:
slower, never a 500.
"""
from __future__ import annotations

import hashlib
import logging
import threading
import time
from typing import Callable

import redis
from flask import Flask, Response, current_app, g, request
from werkzeug.http import parse_cookie

from .. import i18n, visibility
from ..extensions import cache, redis_client
from ..models import (
    Component, ComponentGroup, ComponentStatusChange, Incident, IncidentComponent, IncidentUpdate,
    Maintenance, MaintenanceComponent, PageSettings, Postmortem,
)
from ..services.outbox import Committed
from .fastpath import ENVIRON_KEY, SNAPSHOT_ENVIRON, PublicFastPath
from .generation import Generation

log = logging.getLogger(__name__)

CACHE_CONTROL = "public, max-age=10, stale-while-revalidate=30, stale-if-error=86400"
ENTRY_TTL = 300  # seconds; uptime bars and "upcoming" windows move with the clock
LOCAL_TTL = 30  # seconds an in-memory copy is served before asking Redis again
LOCK_SECONDS = 10
WAIT_SECONDS = 5
# Rows the public responses are rendered from: writing one changes what the public sees.
PUBLIC_MODELS = frozenset({Component, ComponentGroup, ComponentStatusChange, Incident,
                           IncidentComponent, IncidentUpdate, Maintenance, MaintenanceComponent,
                           PageSettings, Postmortem})
_local: dict = {"generation": None, "entries": {}}
_name_locks: dict[str, threading.Lock] = {}


def _generation() -> Generation:
    return current_app.extensions["public_generation"]


def invalidate() -> None:
    """Forget every cached public response (all processes)."""
    _local["entries"] = {}
    try:
        _generation().bump()
    except Exception as exc:  # Redis down: entries expire by TTL; nothing else to do
        log.warning("public cache invalidation failed: %s", exc)


def _etag(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def _fresh(build: Callable[[], bytes]) -> tuple[bytes, str]:
    body = build()
    return body, _etag(body)


def _from_redis(generation: int, name: str, build: Callable[[], bytes]) -> tuple[bytes, str]:
    key = f"public:{generation}:{name}"
    lock = redis_client.client.lock(f"{cache.cache.key_prefix}public:lock:{generation}:{name}",
                                    timeout=LOCK_SECONDS, blocking=False)
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        entry = cache.get(key)
        if entry is not None:
            return entry
        if lock.acquire():
            try:
                entry = _fresh(build)
                cache.set(key, entry, timeout=current_app.config.get("PUBLIC_CACHE_TTL", ENTRY_TTL))
                return entry
            finally:
                lock.release()
        if time.monotonic() > deadline:  # the renderer elsewhere is stuck: render ourselves
            return _fresh(build)
        time.sleep(0.01)


def _lookup(name: str, build: Callable[[], bytes]) -> tuple[bytes, str, int | None]:
    """(body, etag, generation); generation None when the answer was not cached."""
    if not current_app.config.get("PUBLIC_CACHE", True) or SNAPSHOT_ENVIRON in request.environ:
        return (*_fresh(build), None)
    try:
        generation = _generation().current()
    except redis.RedisError as exc:
        log.warning("public cache unavailable, rendering from the database: %s", exc)
        return (*_fresh(build), None)
    if _local["generation"] != generation:
        _local.update(generation=generation, entries={})
    held = _local["entries"].get(name)
    if held is not None and held[1] > time.monotonic():
        return (*held[0], generation)
    with _name_locks.setdefault(name, threading.Lock()):  # one renderer per process
        held = _local["entries"].get(name)
        if held is not None and held[1] > time.monotonic():
            return (*held[0], generation)
        try:
            entry = _from_redis(generation, name, build)
        except redis.RedisError as exc:
            log.warning("public cache unavailable, rendering from the database: %s", exc)
            return (*_fresh(build), None)
        if _local["generation"] == generation and len(_local["entries"]) < 256:
            _local["entries"][name] = (entry, time.monotonic() + LOCAL_TTL)
        return (*entry, generation)


def cached(name: str, build: Callable[[], bytes | str], mimetype: str, *,
           shared: bool = True) -> Response:
    """A 200 (or 304) for ``name`` in the reader's locale, rebuilt with ``build`` on a miss.

    Each locale has its own entry (and so its own ETag). Answers that depend on
    who asks (a private page, a signed-in reader) are never held by the fast
    path and are marked private by :mod:`..visibility`. ``shared=False`` renders
    every time: an answer showing internal rows, which move without a new
    generation.
    """
    def _bytes() -> bytes:
        body = build()
        return body.encode() if isinstance(body, str) else body

    if shared:
        body, etag, generation = _lookup(f"{name}:{i18n.locale_code()}", _bytes)
    else:
        (body, etag), generation = _fresh(_bytes), None
    if generation is not None and not visibility.personal():
        rule = request.url_rule.rule if request.url_rule else request.path
        request.environ[ENVIRON_KEY] = (generation, etag, body, rule)
    response = Response(body, mimetype=mimetype)
    response.set_etag(etag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.vary.update(("Accept-Encoding", "Accept-Language", "Cookie"))
    return response.make_conditional(request)


def reset_local() -> None:
    """Drop this process's copies (tests that wipe Redis behind the cache's back)."""
    _local.update(generation=None, entries={})
    try:
        _generation().forget()
    except RuntimeError:  # no app context
        pass


def changes_public(committed: Committed) -> bool:
    """Whether a commit changed what the public sees: a public row written or a public
    event recorded (edits that record no event, a component renamed, count too)."""
    return bool(committed.public_event or committed.touched & PUBLIC_MODELS)


def invalidate_after_commit(committed: Committed) -> None:
    """After-commit step: drop every cached response, once, if the commit changed the public."""
    if changes_public(committed):
        invalidate()


def _fast_path_hooks(app: Flask):
    """The fast path's view of a request: its locale, and whether only Flask may answer it."""
    session_cookie = app.config.get("SESSION_COOKIE_NAME", "session")

    def cookies(environ) -> dict:
        return parse_cookie(environ.get("HTTP_COOKIE", ""))

    def variant(environ) -> str:
        # "" when the reader chose nothing: the page default (a stored setting) answers.
        query = dict(part.partition("=")[::2] for part in environ.get("QUERY_STRING", "").split("&"))
        return (i18n.canonical(query.get("lang")) or i18n.canonical(cookies(environ).get(i18n.COOKIE))
                or i18n.from_accept_language(environ.get("HTTP_ACCEPT_LANGUAGE")) or "")

    def bypass(environ) -> bool:
        # A session may be a signed-in reader's, who sees more than the public.
        return app.config["VISIBILITY"] == "private" or session_cookie in cookies(environ)

    return variant, bypass


def init_app(app: Flask) -> None:
    generation = Generation(app.extensions["redis"], app.config["CACHE_KEY_PREFIX"])
    app.extensions["public_generation"] = generation
    if app.config.get("PUBLIC_CACHE", True):
        variant, bypass = _fast_path_hooks(app)
        fast = PublicFastPath(app.wsgi_app, generation, LOCAL_TTL, variant, bypass)
        app.extensions["public_fastpath"] = app.wsgi_app = fast
