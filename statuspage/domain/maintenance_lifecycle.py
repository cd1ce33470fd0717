"""The maintenance window lifecycle: the one table every status change obeys (pure, no Flask).

A window is ``scheduled`` until it starts, ``in_progress`` (its components
under maintenance) and possibly ``verifying`` while the work is checked, then
``completed``. A scheduled window may also be cancelled straight to completed.
"""
from __future__ import annotations

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "scheduled": ("in_progress", "completed"),
    "in_progress": ("verifying", "completed"),
    "verifying": ("in_progress", "completed"),
    "completed": (),
}

# While a window is open its components stay under maintenance.
OPEN = ("in_progress", "verifying")


def allowed_next(status: str) -> list[str]:
    """Statuses a window in ``status`` may move to."""
    return list(TRANSITIONS.get(status, ()))


def can_transition(current: str, target: str) -> bool:
    """Whether a window may move from ``current`` to ``target``."""
    return target in TRANSITIONS.get(current, ())
