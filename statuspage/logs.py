"""JSON log lines for web and worker, stamped with request or job context and redacted.

One setup for every process: the root logger gets one stdout handler whose
filters add context (request id, method, path, user id, client IP; RQ job id
and name) and then scrub anything secret (see :mod:`.redaction`). Loggers that
others configured with handlers of their own (gunicorn's) hand their records
to it instead, so each record is written once.
"""
from __future__ import annotations

import logging
import time

from flask import Flask, g, has_request_context, request

from .net import client_ip
from .redaction import HANDLER_NAME, redacting_handler

access_log = logging.getLogger("statuspage.access")
# Loggers that arrive with handlers of their own and must write through ours instead.
_ADOPTED = ("gunicorn.error",)


def _user_id():
    actor = g.get("actor")
    if actor is not None:
        return actor.user_id
    # Flask-Login caches the loaded user in g; reading it here must not trigger a query.
    user = g.get("_login_user")
    return getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None


def _current_job():
    try:
        from rq import get_current_job
    except ImportError:  # pragma: no cover - rq is a core dependency
        return None
    return get_current_job()


class ContextFilter(logging.Filter):
    """Stamp request context (web) or RQ job context (worker) onto every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = g.get("request_id") or getattr(record, "request_id", None)
            record.method = request.method
            record.path = request.path
            record.remote_ip = client_ip()
            if not hasattr(record, "user_id"):
                record.user_id = _user_id()
        job = _current_job()
        if job is not None:
            record.job_id = job.id
            record.job_name = job.func_name
            record.request_id = getattr(record, "request_id", None) or job.meta.get("request_id")
        elif getattr(record, "job_id", None) and not hasattr(record, "job_name"):
            # rq's own failure line, written just after the job context ends.
            record.job_name = getattr(record, "func", None)
        return True


def json_handler(stream=None) -> logging.Handler:
    """A handler writing one JSON object per line, context-stamped and redacted."""
    return redacting_handler(stream, filters=(ContextFilter(),))


def configure(level: str | int = "INFO", stream=None) -> logging.Handler:
    """Route every record of the process (app, rq, gunicorn, SQLAlchemy, ...) to one JSON handler.

    It replaces the handler of the same name that an earlier call or the
    gunicorn master's log config (``gunicorn.conf.py``) put on the root logger:
    a second handler would write each record twice.
    """
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == HANDLER_NAME:
            root.removeHandler(existing)
    for name in _ADOPTED:
        adopted = logging.getLogger(name)
        for existing in list(adopted.handlers):
            adopted.removeHandler(existing)
        adopted.propagate = True
    handler = json_handler(stream)
    root.addHandler(handler)
    root.setLevel(level)
    # Werkzeug's dev-server access line carries raw query strings; ours replaces it.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    return handler


def _start_timer():
    g.log_started = time.perf_counter()


def _log_request(response):
    started = g.pop("log_started", None)
    if started is not None:
        access_log.info(
            "%s %s %s", request.method, request.path, response.status_code,
            extra={
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "route": request.url_rule.rule if request.url_rule else None,
            },
        )
    return response


def init_app(app: Flask) -> None:
    if app.config.get("LOG_JSON", True):
        configure(app.config.get("LOG_LEVEL", "INFO"))
    app.before_request(_start_timer)
    app.after_request(_log_request)
