"""A WSGI fast path for public responses that this process already holds.

Under an outage-day spike nearly every request is a repeat of one a moment
ago. After Flask has served a cached public response once (with every header
its hooks add: CSP, nosniff, ETag, Cache-Control...), the same URL is answered
here from memory with those exact headers, for as long as the cache
generation is unchanged (invalidation reaches every process at once, see
:mod:`.generation`) and at most ``LOCAL_TTL`` seconds. Anything else, and
every miss, goes through Flask as usual.

Requests answered here skip Flask's request hooks: they get a fresh
``X-Request-ID`` but no per-request log line. ``hits`` counts them, and each
callable in ``observers`` is called as ``observer(method, route, status,
seconds)`` (``route`` being the Flask rule that first served the URL), so
request metrics can count them too.
"""
from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass

import redis

ENVIRON_KEY = "statuspage.public_cache"
# Set (to the generation time) on requests that render the static copy: never from or
# into any cache, since those pages differ (no live stream, a "generated at" note).
SNAPSHOT_ENVIRON = "statuspage.snapshot_at"
_SKIP_HEADERS = {"x-request-id", "content-length", "set-cookie"}
_REQUEST_ID_RE = re.compile(r"^[\w.:-]{1,64}$")
MAX_ROUTES = 512


@dataclass
class Held:
    generation: int
    etag: str
    body: bytes
    headers: list[tuple[str, str]]
    expires: float
    route: str


def _etag_matches(header: str, etag: str) -> bool:
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/").strip('"') == etag:
            return True
    return False


class PublicFastPath:
    """``variant(environ)`` names what else a response depends on (the reader's locale);
    ``bypass(environ)`` is true for requests only Flask may answer (a signed-in reader,
    a private page)."""

    def __init__(self, wsgi_app, generation, ttl: float, variant=lambda environ: "",
                 bypass=lambda environ: False):
        self.wsgi_app = wsgi_app
        self.generation = generation
        self.ttl = ttl
        self.variant = variant
        self.bypass = bypass
        self.routes: dict[tuple, Held] = {}
        self.hits = 0
        self.observers: list = []

    def _key(self, environ) -> tuple:
        # The scheme matters: HSTS is only sent over HTTPS.
        return (environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
                environ.get("wsgi.url_scheme", ""), environ.get("HTTP_X_FORWARDED_PROTO", ""),
                self.variant(environ))

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD") or SNAPSHOT_ENVIRON in environ or self.bypass(environ):
            return self.wsgi_app(environ, start_response)
        key = self._key(environ)
        held = self.routes.get(key)
        started = time.monotonic()
        if held is not None and held.expires > started:
            try:
                current = self.generation.current()
            except redis.RedisError:
                current = None
            if current == held.generation:
                self.hits += 1
                status, body = self._serve(held, environ, start_response, method)
                for observer in self.observers:
                    observer(method, held.route, status, time.monotonic() - started)
                return body
        return self._through_flask(key, environ, start_response)

    def _serve(self, held: Held, environ, start_response, method):
        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        headers = held.headers + [("X-Request-ID", request_id)]
        if _etag_matches(environ.get("HTTP_IF_NONE_MATCH", "") or "\0", held.etag):
            start_response("304 NOT MODIFIED", [h for h in headers if h[0].lower() != "content-type"])
            return 304, [b""]
        start_response("200 OK", headers + [("Content-Length", str(len(held.body)))])
        return 200, [b"" if method == "HEAD" else held.body]

    def _through_flask(self, key, environ, start_response):
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, capture)
        info = environ.get(ENVIRON_KEY)
        if info is not None and captured.get("status", "").startswith("200"):
            headers = captured["headers"]
            if not any(name.lower() == "set-cookie" for name, _ in headers):
                generation, etag, body, route = info
                if len(self.routes) >= MAX_ROUTES:
                    self.routes.clear()
                self.routes[key] = Held(generation, etag, body,
                                        [(n, v) for n, v in headers if n.lower() not in _SKIP_HEADERS],
                                        time.monotonic() + self.ttl, route)
        return result
