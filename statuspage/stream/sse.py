"""The text/event-stream wire format (WHATWG HTML, "Server-sent events").

Each function returns one complete, UTF-8 encoded block ending in the blank
line that makes a browser dispatch it (or, for comments, simply ignore it).
"""
from __future__ import annotations

import re
from typing import Optional

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _clean(value: str) -> str:
    # Field values may not contain line breaks; a stray CR or LF in an id or
    # event name would split it into a bogus field.
    return _LINE_BREAK.sub(" ", value)


def event(data: str, name: Optional[str] = None, id: Optional[str] = None) -> bytes:
    """One event: optional ``event:`` and ``id:`` fields, then one ``data:`` line per line."""
    lines = []
    if name is not None:
        lines.append(f"event: {_clean(name)}")
    if id is not None:
        # A NUL in the id makes the browser ignore the field entirely.
        lines.append(f"id: {_clean(id).replace(chr(0), '')}")
    lines.extend(f"data: {line}" for line in _LINE_BREAK.split(data))
    return ("\n".join(lines) + "\n\n").encode()


def comment(text: str = "") -> bytes:
    """A comment line: ignored by clients, keeps proxies and idle timeouts at bay."""
    return "".join(f": {line}\n" for line in _LINE_BREAK.split(text)).encode() + b"\n"


def retry(milliseconds: int) -> bytes:
    """The reconnection delay hint."""
    return f"retry: {int(milliseconds)}\n\n".encode()
