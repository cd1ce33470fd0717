"""Request plumbing shared by every blueprint: ids, proxies, URL converters, headers."""
from __future__ import annotations

import re
import uuid

from flask import Flask, g, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import NotFound
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from . import bounded_json
from .services.context import RequestMeta, request_meta

_REQUEST_ID_RE = re.compile(r"^[\w.:-]{1,64}$")


class IdConverter(IntegerConverter):
    """Positive ids that fit every backend's integer; anything else is a 404, not a 500."""

    MAX = 2**31 - 1

    def __init__(self, map, **kwargs):
        super().__init__(map)

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        # A 404 here, not a failed match: werkzeug would go on to a sibling rule of
        # another method on the same path and answer 405 for a resource that is absent.
        if not 1 <= number <= self.MAX:
            raise NotFound()
        return number


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, where a body nested too deeply is invalid JSON (a 400), not a crash."""

    def loads(self, s, **kwargs):
        # get_json turns the ValueError into the usual "not valid JSON" answer.
        return bounded_json.loads(s, **kwargs)


def _begin_request():
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
    g.request_meta_token = request_meta.set(RequestMeta(g.request_id, request.remote_addr))


def _finish_request(response):
    response.headers["X-Request-ID"] = g.get("request_id", "")
    return response


def _teardown(_exc):
    token = g.pop("request_meta_token", None)
    if token is not None:
        request_meta.reset(token)


def init_app(app: Flask) -> None:
    app.json = BoundedJSONProvider(app)
    app.url_map.converters["id"] = IdConverter
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    app.before_request(_begin_request)
    app.after_request(_finish_request)
    app.teardown_request(_teardown)
