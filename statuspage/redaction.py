"""Redacted JSON log lines, importable before the app (and Flask) is: the gunicorn master uses it.

Passwords, tokens, cookies, signed links, link tokens in URL paths and email
addresses never reach a log line, whatever a caller passes in. :mod:`.logs`
adds request and job context on top; both write the same JSON shape.
"""
from __future__ import annotations

import logging
import re
import sys
from typing import Any

from pythonjsonlogger.json import JsonFormatter

# The one handler on the root logger of every process; set up again by name, never added twice.
HANDLER_NAME = "statuspage-json"
REDACTED = "[redacted]"
# Keys whose values are secret whatever they hold.
_SECRET_KEY_RE = re.compile(
    r"pass(word)?|secret|token|authori[sz]ation|cookie|api[_-]?key|csrf|session|signature",
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(r"[\w.+%-]+@[\w-]+(\.[\w-]+)+")
# Email-link tokens in paths, API tokens (sp_...), bearer credentials, key=value
# secrets in URLs or messages, itsdangerous-signed values (payload.timestamp.signature)
# and credentials in service URLs.
_VALUE_PATTERNS = (
    (re.compile(r"(/(?:confirm|manage|unsubscribe)/)(?!<)[^/?#\s\"']+"), r"\1" + REDACTED),
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


class JsonLineFormatter(JsonFormatter):
    """One JSON object per record; tracebacks are scrubbed too (locals can hold secrets)."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s",
                         rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                         datefmt="%Y-%m-%dT%H:%M:%S%z")

    def formatException(self, ei):
        return scrub(super().formatException(ei))

    def formatStack(self, stack_info):
        return scrub(super().formatStack(stack_info))


class _StdoutHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stdout`` is at emit time (test capture, gunicorn reopen)."""

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, _value):
        pass


def redacting_handler(stream=None, filters=()) -> logging.Handler:
    """A JSON-lines handler on ``stream`` (default: stdout); ``filters`` run before redaction."""
    handler = logging.StreamHandler(stream) if stream is not None else _StdoutHandler()
    handler.setFormatter(JsonLineFormatter())
    handler.set_name(HANDLER_NAME)
    for extra in filters:
        handler.addFilter(extra)
    handler.addFilter(RedactionFilter())
    return handler


def stdout_handler() -> logging.Handler:
    """The gunicorn master's root handler (``logconfig_dict`` factory): redacted JSON on stdout."""
    return redacting_handler()
