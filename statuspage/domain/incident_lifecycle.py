"""The incident lifecycle: the one table every transition obeys (pure, no Flask)."""
from __future__ import annotations

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "investigating": ("identified", "monitoring", "resolved"),
    "identified": ("monitoring", "resolved"),
    "monitoring": ("resolved",),
    "resolved": ("investigating",),
}

# The timestamp column each arrival status stamps.
STATUS_TIMESTAMP = {
    "identified": "identified_at",
    "monitoring": "monitoring_at",
    "resolved": "resolved_at",
}


def allowed_next(status: str) -> list[str]:
    """Statuses an incident in ``status`` may move to."""
    return list(TRANSITIONS.get(status, ()))


def can_transition(current: str, target: str) -> bool:
    """Whether an incident may move from ``current`` to ``target``."""
    return target in TRANSITIONS.get(current, ())


def is_reopen(current: str, target: str) -> bool:
    """Whether the move reopens a resolved incident."""
    return current == "resolved" and target == "investigating"
