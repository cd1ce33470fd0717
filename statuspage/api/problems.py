"""RFC 9457 problem+json answers for every error under /api."""
from __future__ import annotations

import logging

from flask import Flask, Response, current_app, json, render_template, request
from marshmallow import ValidationError
from flask_babel import gettext
from werkzeug.exceptions import HTTPException

from ..errors import DomainError

log = logging.getLogger(__name__)
PROBLEM_MIME = "application/problem+json"
TYPE_BASE = "https://statuspage.local/problems/"


def problem(status: int, title: str, detail: str = "", slug: str | None = None,
            headers: dict | None = None, **extra) -> Response:
    body = {
        "type": TYPE_BASE + (slug or title.lower().replace(" ", "-")),
        "title": title,
        "status": status,
        "detail": detail or title,
        "instance": request.path,
        **extra,
    }
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIME)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _wants_problem() -> bool:
    return request.path.startswith("/api") or request.accept_mimetypes.best in (
        "application/json", PROBLEM_MIME)


def _domain_error(exc: DomainError):
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    # Readers' surfaces answer in the reader's language; the console's API stays English.
    return problem(exc.status, gettext(exc.title), exc.detail, exc.type_slug, headers, **exc.extra)


def _validation_error(exc: ValidationError):
    errors = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
    return problem(422, "Validation failed", "The request is not valid.", "validation-error",
                   errors=errors)


def _http_error(exc: HTTPException):
    if not _wants_problem():
        if exc.code == 413:
            return _too_large_page()
        return exc
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    if exc.code == 429 and "Retry-After" not in headers:
        headers["Retry-After"] = "60"
    return problem(exc.code or 500, exc.name, exc.description or exc.name, headers=headers)


def _too_large_page():
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    error = {"title": "That was too large to send",
             "detail": f"What you sent is larger than the {limit // 1024} KB this site accepts. "
                       "Shorten it and try again."}
    return render_template("public/error.html", error=error), 413


def _unexpected(exc: Exception):
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    log.exception("unhandled error")
    if not _wants_problem():
        return Response("Internal server error", status=500, mimetype="text/plain")
    return problem(500, "Internal server error", "Something went wrong on our side.")


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(ValidationError, _validation_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
