"""OpenAPI 3 document generated from the endpoint metadata and marshmallow schemas."""
from __future__ import annotations

import re
from http import HTTPStatus

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, current_app, jsonify

from ..schemas.common import ProblemSchema
from ..version import __version__
from .blueprint import bp
from .endpoint import EndpointSpec, endpoint

_PARAM_RE = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
# What each URL converter accepts (web.IdConverter: positive, fits a 32-bit integer).
_PATH_SCHEMAS = {"id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                 "int": {"type": "integer"}}
_TEXT = {"type": "string"}
_PAGING = {"page": {"type": "integer"}, "per_page": {"type": "integer"},
           "total": {"type": "integer"}, "pages": {"type": "integer"}}


def _problem(status: int) -> dict:
    return {"description": HTTPStatus(status).phrase,
            "content": {"application/problem+json": {"schema": "Problem"}}}


def _success(spec: EndpointSpec) -> dict:
    if spec.status == 204:
        return {"description": "No content"}
    media = spec.media_type
    if spec.response is None:
        body = {"type": "string"} if media.startswith("text/") else {"type": "object"}
        return {"description": "OK", "content": {media: {"schema": body}}}
    schema = spec.response
    if spec.listing:
        props = {"items": {"type": "array", "items": spec.response}}
        if spec.listing == "page":
            props.update(_PAGING)
        schema = {"type": "object", "properties": props, "required": ["items"]}
    return {"description": HTTPStatus(spec.status).phrase, "content": {media: {"schema": schema}}}


def _operation(spec: EndpointSpec, params: list[dict]) -> dict:
    op: dict = {"summary": spec.summary, "tags": list(spec.tags) or ["misc"],
                "responses": {str(spec.status): _success(spec)}}
    # Idempotency-Key: malformed (400), its twin still running (409), reused for another body (422).
    errors = set(spec.errors) | ({400, 409, 422} if spec.idempotent else set())
    for status in sorted(errors):
        op["responses"][str(status)] = _problem(status)
    op["responses"].setdefault("500", _problem(500))
    if spec.role:
        op["security"] = [{"bearerAuth": []}, {"cookieAuth": []}]
        op["description"] = f"Requires the `{spec.role}` role."
    else:
        op["security"] = []
    parameters = list(params)
    if spec.args is not None:
        parameters.append({"in": "query", "schema": spec.args})
    if spec.idempotent:
        parameters.append({"in": "header", "name": "Idempotency-Key", "required": False,
                           "schema": {"type": "string", "minLength": 1, "maxLength": 255,
                                      "pattern": "^[\\x21-\\x7e]+$"},
                           "description": "Replays the stored response for 24 h."})
    if parameters:
        op["parameters"] = parameters
    if spec.body is not None:
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": spec.body}}}
    return op


def build_spec(app: Flask) -> dict:
    spec = APISpec(title=f"{app.config['PAGE_NAME']} status API", version=__version__,
                   openapi_version="3.0.3", plugins=[MarshmallowPlugin()])
    spec.components.schema("Problem", schema=ProblemSchema)
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    spec.components.security_scheme("cookieAuth", {"type": "apiKey", "in": "cookie",
                                                   "name": "session"})
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        meta = getattr(view, "endpoint_spec", None)
        if meta is None:
            continue
        path = _PARAM_RE.sub(r"{\2}", rule.rule)
        params = [{"in": "path", "name": name, "required": True, "schema": _PATH_SCHEMAS.get(conv, _TEXT)}
                  for conv, name in _PARAM_RE.findall(rule.rule)]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(meta, params)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@bp.get("/openapi.json")
@endpoint("This OpenAPI document", role=None, tags=("meta",))
def openapi_document():
    if "openapi_doc" not in current_app.extensions:
        current_app.extensions["openapi_doc"] = build_spec(current_app)
    return jsonify(current_app.extensions["openapi_doc"])
