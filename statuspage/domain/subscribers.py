"""A subscriber's state, derived from its timestamps (pure, no Flask)."""
from __future__ import annotations

from .locales import N_

# How a subscription's state reads on its manage page.
STATE_WORDS = (N_("confirmed"), N_("pending"), N_("suppressed"), N_("unsubscribed"))

SUBSCRIBER_STATUSES = ("pending", "confirmed", "unsubscribed", "suppressed")


def mailbox_key(address: str) -> str:
    """The form two spellings of one mailbox share: ``Victim@Example.org`` is ``victim@example.org``.

    Mail systems treat the local part case-insensitively in practice, and an
    unsubscribe must reach every spelling a person used.
    """
    return address.strip().lower()


def subscriber_status(sub) -> str:
    """pending, confirmed, unsubscribed or suppressed."""
    if sub.suppressed_at is not None:
        return "suppressed"
    if sub.unsubscribed_at is not None:
        return "unsubscribed"
    return "confirmed" if sub.confirmed_at is not None else "pending"
