"""Who is acting and on behalf of which request, without any HTTP types."""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Optional

ROLE_RANK = {"viewer": 0, "responder": 1, "admin": 2}


@dataclass(frozen=True)
class Actor:
    """Who performs a service call: a user, an API token, the system or a subscriber."""

    type: str  # user | token | system | subscriber
    id: Optional[int]
    label: str
    role: str = "viewer"
    user_id: Optional[int] = None

    def can(self, role: str) -> bool:
        """Whether this actor holds at least ``role``."""
        return ROLE_RANK.get(self.role, -1) >= ROLE_RANK[role]

    @property
    def principal(self) -> str:
        """A stable key for per-principal scoping (idempotency, rate limits)."""
        return f"{self.type}:{self.id}"


SYSTEM = Actor(type="system", id=None, label="system", role="admin")


@dataclass(frozen=True)
class RequestMeta:
    """The request a service call serves (for the audit trail)."""

    request_id: Optional[str] = None
    ip: Optional[str] = None


request_meta: ContextVar[RequestMeta] = ContextVar("request_meta", default=RequestMeta())
