"""The ``endpoint`` decorator: auth, parsing, unit of work, idempotency, serialisation.

Views stay thin: they receive validated input, call one service function and
return a model (or a :class:`Page`); everything around that happens here, and
the same metadata feeds the OpenAPI document.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import wraps
from typing import Callable, Optional

from flask import Response, current_app, json, request
from marshmallow import EXCLUDE, Schema

from ..errors import BadRequest, DomainError, ValidationFailed
from ..extensions import db, limiter
from ..services import idempotency
from ..services.pagination import Page
from .auth import rate_limit_key, require

_KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")


class UnsupportedMediaType(DomainError):
    status = 415
    title = "Unsupported media type"
    type_slug = "unsupported-media-type"


@dataclass
class EndpointSpec:
    summary: str
    role: Optional[str]
    body: Optional[type[Schema]]
    args: Optional[type[Schema]]
    response: Optional[type[Schema]]
    status: int
    write: bool
    idempotent: bool
    errors: tuple[int, ...]
    tags: tuple[str, ...] = field(default_factory=tuple)
    listing: Optional[str] = None  # None | "items" | "page": how a list answer is wrapped
    media_type: str = "application/json"


def load_body(schema_cls: type[Schema] | Callable[[dict], dict]) -> dict:
    """Parse and validate a JSON object body; 415 / 400 / 422 otherwise.

    ``schema_cls`` is a schema class, or a function that validates the object.
    """
    if request.mimetype not in ("application/json", "application/merge-patch+json"):
        raise UnsupportedMediaType("Send the body as application/json.")
    data = request.get_json(silent=True)
    if data is None:
        raise BadRequest("The body is not valid JSON.")
    if not isinstance(data, dict):
        raise ValidationFailed({"_schema": ["Expected a JSON object."]})
    if isinstance(schema_cls, type) and issubclass(schema_cls, Schema):
        return schema_cls().load(data)
    return schema_cls(data)


def load_args(schema_cls: type[Schema]) -> dict:
    # Unknown query parameters (cache busters and the like) are ignored.
    return schema_cls(unknown=EXCLUDE).load(request.args.to_dict())


def _serialise(result, spec: EndpointSpec) -> Response:
    if isinstance(result, Response):
        return result
    if spec.status == 204 or result is None:
        return Response(status=204)
    if isinstance(result, Page):
        body = {"items": spec.response(many=True).dump(result.items), "page": result.page,
                "per_page": result.per_page, "total": result.total, "pages": result.pages}
    elif isinstance(result, list):
        body = {"items": spec.response(many=True).dump(result)}
    elif isinstance(result, dict) or spec.response is None:
        body = result  # already shaped by the view
    else:
        body = spec.response().dump(result)
    return Response(json.dumps(body), status=spec.status, mimetype="application/json")


def _replay(stored: idempotency.StoredResponse) -> Response:
    response = Response(stored.body, status=stored.status, headers=stored.headers)
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _run_write(view: Callable, kwargs: dict, spec: EndpointSpec, actor) -> Response:
    key = request.headers.get("Idempotency-Key") if spec.idempotent else None
    if key is not None and not _KEY_RE.match(key):
        raise BadRequest("Idempotency-Key must be 1-255 visible ASCII characters.")
    claim = None
    try:
        if key is not None:
            fingerprint = idempotency.request_fingerprint(request.method, request.path, request.get_data())
            outcome = idempotency.claim(actor.principal, key, fingerprint,
                                        current_app.config["IDEMPOTENCY_TTL_HOURS"])
            if isinstance(outcome, idempotency.StoredResponse):
                return _replay(outcome)
            claim = outcome
        response = _serialise(view(**kwargs), spec)
        if claim is not None:
            kept = {k: v for k, v in response.headers.items() if k in ("Content-Type", "Location")}
            claim.complete(response.status_code, response.get_data(as_text=True), kept)
        db.session.commit()
        return response
    except BaseException:
        db.session.rollback()
        raise
    finally:
        if claim is not None:
            claim.release()


def endpoint(summary: str, *, role: Optional[str] = "viewer", body=None, args=None, response=None,
             status: int = 200, write: bool = False, idempotent: Optional[bool] = None,
             errors: tuple[int, ...] = (), tags: tuple[str, ...] = (), listing: Optional[str] = None,
             media_type: str = "application/json"):
    """Declare an API view. ``role=None`` makes it public (no authentication)."""
    # Idempotency-Key is honoured on every write unless a view opts out.
    idempotent = write if idempotent is None else idempotent
    spec = EndpointSpec(summary, role, body, args, response, status, write, idempotent,
                        tuple(errors), tuple(tags), listing, media_type)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(**kwargs):
            actor = require(role) if role else None
            if args is not None:
                kwargs["args"] = load_args(args)
            if body is not None:
                kwargs["body"] = load_body(body)
            if write:
                return _run_write(view, kwargs, spec, actor)
            return _serialise(view(**kwargs), spec)

        wrapper.endpoint_spec = spec
        if write:
            wrapper = limiter.limit(lambda: current_app.config["RATELIMIT_WRITES"],
                                    key_func=rate_limit_key)(wrapper)
            wrapper.endpoint_spec = spec
        return wrapper

    return decorator

