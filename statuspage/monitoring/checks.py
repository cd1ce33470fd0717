"""The probes: one HTTP, keyword or TCP check, through the outbound SSRF guard."""
from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from typing import Optional

from .. import outbound
from ..services.monitors import Claim

KEYWORD_BODY = 1024 * 1024


@dataclass(frozen=True)
class Outcome:
    ok: bool
    response_ms: Optional[float]
    error: Optional[str]


def status_expected(code: int, expected: list) -> bool:
    """Whether ``code`` is among ``expected`` (codes and ``[low, high]`` ranges; 200-399 if empty)."""
    for item in expected or [[200, 399]]:
        low, high = (item, item) if isinstance(item, int) else item
        if low <= code <= high:
            return True
    return False


def _http(claim: Claim, allow_private: bool) -> Outcome:
    max_body = KEYWORD_BODY if claim.kind == "keyword" else 1024
    answer = outbound.request("GET", claim.url, allow_private=allow_private, max_body=max_body,
                              total_timeout=claim.timeout_seconds)
    ms = answer.elapsed * 1000.0
    if not status_expected(answer.status, claim.expected_status):
        return Outcome(False, ms, f"HTTP {answer.status} is not an expected status.")
    if claim.kind == "keyword" and claim.keyword not in answer.body.decode("utf-8", "replace"):
        return Outcome(False, ms, f"The keyword {claim.keyword!r} is not in the answer.")
    return Outcome(True, ms, None)


def _tcp(claim: Claim, allow_private: bool) -> Outcome:
    target = outbound.check_url(f"http://{claim.host}:{claim.port}/", allow_private)
    started = time.monotonic()
    try:
        socket.create_connection((target.address, claim.port), claim.timeout_seconds).close()
    except OSError as exc:
        return Outcome(False, None, f"TCP connect failed: {exc}"[:300])
    return Outcome(True, (time.monotonic() - started) * 1000.0, None)


def run(claim: Claim, allow_private: bool) -> Outcome:
    """Run one check; failures of every kind are an Outcome, never an exception."""
    try:
        return _tcp(claim, allow_private) if claim.kind == "tcp" else _http(claim, allow_private)
    except outbound.Refused as refused:
        return Outcome(False, None, f"Refused: {refused}"[:300])
    except outbound.OutboundError as failed:
        return Outcome(False, None, str(failed)[:300])
