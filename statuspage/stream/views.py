"""SSE endpoints: ``GET /api/stream/public`` and ``GET /api/stream/admin``.

A connection subscribes to the process's :class:`~.hub.Hub`, replays what it
missed (``Last-Event-ID`` or ``?last_event_id=``) with ``XRANGE`` and then
follows the live feed, skipping anything the replay already sent, so there is
no gap and no duplicate. The generator touches neither the request context nor
a request's database session: authentication happens first, then the session is
released. An admin stream checks its credential again once every heartbeat
interval, in a short-lived session of its own, and ends once it is revoked.
"""
from __future__ import annotations

import functools
import json
import logging
import queue
import random
import time
from dataclasses import dataclass
from typing import Callable, Iterator, Optional

import limits
import redis
from flask import Blueprint, Flask, Response, current_app, request
from sqlalchemy.exc import SQLAlchemyError

from ..api.auth import current_credential, require
from ..api.endpoint import EndpointSpec
from ..errors import Overloaded, RateLimited, ServiceUnavailable
from ..extensions import db
from ..net import client_ip
from ..schemas.stream import StreamArgs
from ..services import ratelimit, users
from .. import metrics
from . import sse
from .hub import Full, Hub, Subscriber, parse_id

log = logging.getLogger(__name__)
bp = Blueprint("stream", __name__, url_prefix="/api/stream")

HEARTBEAT = sse.comment("heartbeat")
REVOKED = sse.comment("access revoked")
_COALESCE = 64  # frames written in one chunk when a burst is queued


@dataclass(frozen=True)
class Settings:
    heartbeat: float
    max_age: float
    retry_ms: int

    @classmethod
    def from_config(cls, config) -> "Settings":
        return cls(config["STREAM_HEARTBEAT_SECONDS"], config["STREAM_MAX_AGE_SECONDS"],
                   config["STREAM_RETRY_MS"])


def _resync(tip: Optional[str], reason: str) -> bytes:
    # The id is the point the live feed continues from; an empty id clears
    # the browser's stale one so its next reconnect does not resync again.
    return sse.event(json.dumps({"reason": reason}), "RESYNC", tip or "")


def _resume(hub: Hub, audience: str, last_event_id: str, state: dict) -> Iterator[bytes]:
    """Replay everything after ``last_event_id``, or send one RESYNC when that is impossible."""
    key = parse_id(last_event_id)
    first, tip = hub.first(), hub.tip()
    if key is None:
        reason = "malformed"
    elif first is None or key < parse_id(first):
        reason = "expired"  # older than the oldest retained entry (or the stream is gone)
    elif key > parse_id(tip):
        reason = "unknown"  # not from this stream (it was reset)
    else:
        state["cursor"] = key
        for entry in hub.replay(key):
            state["cursor"] = entry.key
            frame = entry.frame(audience)
            if frame is not None:
                yield frame
        return
    state["cursor"] = parse_id(tip) if tip else None
    yield _resync(tip, reason)


def _drain(subscriber: Subscriber, first, state: dict, audience: str) -> bytes:
    """Frames for ``first`` and whatever else is already queued, minus replayed entries."""
    entries = [first]
    while len(entries) < _COALESCE:
        try:
            entries.append(subscriber.queue.get_nowait())
        except queue.Empty:
            break
    chunk = []
    for entry in entries:
        if entry is None:
            continue  # a wake-up from Hub.close_all
        cursor = state["cursor"]
        if cursor is not None and entry.key <= cursor:
            continue  # already sent by the replay
        state["cursor"] = entry.key
        frame = entry.frame(audience)
        if frame is not None:
            chunk.append(frame)
    return b"".join(chunk)


def generate(hub: Hub, subscriber: Subscriber, audience: str, last_event_id: Optional[str],
             settings: Settings, allowed: Optional[Callable[[], bool]] = None) -> Iterator[bytes]:
    """The body of one SSE response.

    ``allowed`` (admin streams) is asked once per heartbeat interval, busy or
    quiet; the stream ends as soon as it says no.
    """
    state: dict = {"cursor": None}
    metrics.sse_connections.inc()
    try:
        # Something at once, so proxies flush the headers and the browser fires `open`.
        yield sse.comment("stream open") + sse.retry(settings.retry_ms)
        if last_event_id is not None:
            yield from _resume(hub, audience, last_event_id, state)
        last_write = now = time.monotonic()
        deadline = now + settings.max_age
        next_check = now + settings.heartbeat if allowed is not None else float("inf")
        while not (subscriber.dropped and subscriber.queue.empty()):
            now = time.monotonic()
            if now >= deadline:
                # Closing on purpose lets clients reconnect through proxies and deploys.
                yield sse.comment("max age reached, reconnect")
                return
            if now >= next_check:
                if not allowed():
                    yield REVOKED
                    return
                next_check = time.monotonic() + settings.heartbeat
            wake = min(last_write + settings.heartbeat, deadline, next_check)
            try:
                entry = subscriber.queue.get(timeout=max(wake - now, 0))
            except queue.Empty:
                if time.monotonic() >= last_write + settings.heartbeat:
                    yield HEARTBEAT
                    last_write = time.monotonic()
                continue
            chunk = _drain(subscriber, entry, state, audience)
            if chunk:
                yield chunk
                last_write = time.monotonic()
    except redis.RedisError as exc:
        # Replay needs Redis; ending the stream makes the client retry with its id.
        log.warning("ending SSE stream, Redis unavailable: %s", exc)
    finally:
        metrics.sse_connections.dec()
        hub.unsubscribe(subscriber)


def _refuse() -> Overloaded:
    """The answer past the cap: come back later (jittered, so refused readers do not
    return as one wave) and poll the cached status document meanwhile."""
    config = current_app.config
    base = config["STREAM_RETRY_AFTER_SECONDS"]
    metrics.sse_refused.inc()
    return Overloaded("Too many live readers right now; poll the status document and retry the "
                      "stream later.", retry_after=random.randint(base, 2 * base),
                      poll_url="/api/public/status", poll_interval=config["STREAM_POLL_SECONDS"])


def _still_allowed(credential: users.Credential) -> Callable[[], bool]:
    """A check of ``credential`` that runs outside any request, in its own short session."""
    app = current_app._get_current_object()

    def check() -> bool:
        with app.app_context():  # its teardown returns the connection to the pool
            try:
                return users.credential_live(credential)
            except SQLAlchemyError as exc:
                # Unverifiable is not valid: the client reconnects and authenticates anew.
                log.warning("ending SSE stream, credential check failed: %s", exc)
                return False

    return check


def _open(audience: str, allowed: Optional[Callable[[], bool]] = None) -> Response:
    hub: Hub = current_app.extensions["stream_hub"]
    last_event_id = request.headers.get("Last-Event-ID") or request.args.get("last_event_id") or None
    settings = Settings.from_config(current_app.config)
    # Only anonymous streams are capped: the console's streams are few, signed in, and
    # must not be locked out by readers on an outage day.
    limit = current_app.config["STREAM_MAX_CLIENTS"] if audience == "public" else None
    try:
        subscriber = hub.subscribe(limit, audience)
    except Full:
        raise _refuse()
    except redis.RedisError:
        raise ServiceUnavailable("The event stream is unavailable; retry shortly.")
    # Whatever authentication loaded is released now: the stream holds no DB connection.
    db.session.remove()
    response = Response(generate(hub, subscriber, audience, last_event_id, settings, allowed),
                        mimetype="text/event-stream", direct_passthrough=True)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"
    return response


@functools.lru_cache(maxsize=4)
def _amount_and_window(text: str) -> tuple[int, int]:
    item = limits.parse(text)
    return item.amount, item.get_expiry()


def _within_rate_limit(audience: str) -> None:
    """New connections per client address (``STREAM_RATE_LIMIT``), counted in one Redis
    round trip: a connect storm multiplies whatever a set-up costs, and the route
    limiter's three round trips and headers were half of it."""
    amount, window = _amount_and_window(current_app.config["STREAM_RATE_LIMIT"])
    if wait := ratelimit.hit(f"stream-{audience}", client_ip(), amount, window):
        raise RateLimited("Too many stream connections from this address; retry later.", wait)


@bp.get("/public")
def public_stream():
    """Public-safe live events."""
    # Past the cap a connect storm is mostly refusals: answer them before the rate
    # limit's Redis round trip (``subscribe`` checks again, under its lock).
    if current_app.extensions["stream_hub"].full(current_app.config["STREAM_MAX_CLIENTS"]):
        raise _refuse()
    _within_rate_limit("public")
    return _open("public")


@bp.get("/admin")
def admin_stream():
    """All live events, for signed-in users and tokens."""
    _within_rate_limit("admin")
    require("viewer")
    return _open("admin", _still_allowed(current_credential()))


def _spec(summary: str, role: Optional[str], errors: tuple[int, ...]) -> EndpointSpec:
    return EndpointSpec(summary, role, None, StreamArgs, None, 200, False, False, errors,
                        ("stream",), media_type="text/event-stream")


public_stream.endpoint_spec = _spec(
    "Live public events (SSE); resume with Last-Event-ID. Past the per-process cap: 503 with "
    "Retry-After, poll_url and poll_interval", None, (429, 503))
admin_stream.endpoint_spec = _spec(
    "Live events including internal ones (SSE); resume with Last-Event-ID", "viewer",
    (401, 403, 429, 503))


def init_app(app: Flask) -> None:
    app.extensions["stream_hub"] = Hub(
        app.config["REDIS_URL"], app.config["STREAM_KEY"],
        pool_size=app.config["STREAM_REDIS_CONNECTIONS"],
        queue_size=app.config["STREAM_QUEUE_SIZE"])
    app.register_blueprint(bp)
