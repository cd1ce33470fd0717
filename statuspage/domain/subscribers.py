"""A subscriber's state, derived from its timestamps (pure, no Flask)."""
from __future__ import annotations

SUBSCRIBER_STATUSES = ("pending", "confirmed", "unsubscribed", "suppressed")


def subscriber_status(sub) -> str:
    """pending, confirmed, unsubscribed or suppressed."""
    if sub.suppressed_at is not None:
        return "suppressed"
    if sub.unsubscribed_at is not None:
        return "unsubscribed"
    return "confirmed" if sub.confirmed_at is not None else "pending"
