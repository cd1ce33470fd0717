"""JSON log lines for web and worker, stamped with request or job context and redacted.

Every record leaving the process goes through one stdout handler whose filters
add context (request id, method, path, user id, client IP; RQ job id and name)
and scrub anything secret: passwords, tokens, cookies, signed links and email
addresses never reach a log line, whatever a caller passes in.
"""
from __future__ import annotations

import logging
import re
import sys
import time
from typing import Any

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

from .net import client_ip

HANDLER_NAME = "statuspage-json"
access_log = logging.getLogger("statuspage.access")

REDACTED = "[redacted]"
# Keys whose values are secret whatever they hold.
_SECRET_KEY_RE = re.compile(
    r"pass(word)?|secret|token|authori[sz]ation|cookie|api[_-]?key|csrf|session|signature",
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(r"[\w.+%-]+@[\w-]+(\.[\w-]+)+")
# API tokens (sp_...), bearer credentials, key=value secrets in URLs or messages,
# and itsdangerous-signed values (payload.timestamp.signature) in email links.
_VALUE_PATTERNS = (
    (re.compile(r"\bsp_[\w-]{8,}"), REDACTED),
    # Webhook signing secrets, generated integration secrets and chat webhook URLs.
    (re.compile(r"\b(whsec|spi)_[\w+/=-]{8,}"), REDACTED),
    (re.compile(r"(?i)https://(hooks\.slack\.com|[\w.-]*webhook\.office\.com|"
                r"[\w.-]*\.logic\.azure\.com)(:\d+)?/[^\s\"']*"), r"https://\1/" + REDACTED),
    (re.compile(r"(?i)\b(bearer|basic)\s+[\w.~+/=-]+"), r"\1 " + REDACTED),
    (re.compile(r"(?i)\b(password|passwd|pwd|secret|token|api_key|apikey|key|signature|sig)"
                r"=[^&\s\"']+"), r"\1=" + REDACTED),
    (re.compile(r"\b[\w-]{10,}\.[\w-]{4,}\.[\w-]{16,}\b"), REDACTED),
    (re.compile(r"(?i)(redis|postgres(?:ql)?(?:\+\w+)?|smtp)://([^:/@\s]*):[^@\s]+@"),
     r"\1://\2:" + REDACTED + "@"),
)
# Fields a LogRecord always has: left alone by the key-based scrub.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message"}


def scrub(value: Any) -> Any:
    """Redact secrets and email addresses inside a value (strings, dicts, lists)."""
    if isinstance(value, str):
        for pattern, replacement in _VALUE_PATTERNS:
            value = pattern.sub(replacement, value)
        return _EMAIL_RE.sub("[email]", value)
    if isinstance(value, dict):
        return {k: REDACTED if _SECRET_KEY_RE.search(str(k)) else scrub(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [scrub(v) for v in value]
    return value


class RedactionFilter(logging.Filter):
    """Scrub the message, its arguments and every extra field of a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, dict):  # python-json-logger accepts dict messages
            record.msg = scrub(record.msg)
        else:
            try:
                message = record.getMessage()
            except Exception:  # a bad format string must still log, not crash the caller
                message = str(record.msg)
            record.msg, record.args = scrub(message), None
        for key, value in list(vars(record).items()):
            if key in _RECORD_FIELDS:
                continue
            setattr(record, key, REDACTED if _SECRET_KEY_RE.search(key) else scrub(value))
        return True


class _Formatter(JsonFormatter):
    """JSON lines whose tracebacks are scrubbed too (locals can hold secrets)."""

    def formatException(self, ei):
        return scrub(super().formatException(ei))

    def formatStack(self, stack_info):
        return scrub(super().formatStack(stack_info))


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


class _StdoutHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stdout`` is at emit time (test capture, gunicorn reopen)."""

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, _value):
        pass


def json_handler(stream=None) -> logging.Handler:
    """A handler writing one JSON object per line, context-stamped and redacted."""
    handler = logging.StreamHandler(stream) if stream is not None else _StdoutHandler()
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(_Formatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        datefmt="%Y-%m-%dT%H:%M:%S%z",
    ))
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactionFilter())
    return handler


def configure(level: str | int = "INFO", stream=None) -> logging.Handler:
    """Route the root logger (and so rq, gunicorn, SQLAlchemy, ...) to one JSON handler."""
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == HANDLER_NAME:
            root.removeHandler(existing)
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
