"""Delivery states, channels and digest timing (pure, no Flask).

A delivery row moves PENDING -> SENDING (claimed, leased) -> SENT | FAILED,
or back to PENDING when an attempt failed and another is due (or its worker
died). SENT and FAILED are final; an operator's retry puts FAILED back to PENDING.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class DeliveryState(StrEnum):
    """Where a delivery row is in its life."""

    PENDING = "PENDING"
    SENDING = "SENDING"
    SENT = "SENT"
    FAILED = "FAILED"


# Which moves are legal; the conditional UPDATEs in the delivery service follow it.
TRANSITIONS = {
    DeliveryState.PENDING: (DeliveryState.SENDING,),
    DeliveryState.SENDING: (DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.PENDING),
    DeliveryState.SENT: (),
    DeliveryState.FAILED: (DeliveryState.PENDING,),
}
FINAL = (DeliveryState.SENT, DeliveryState.FAILED)


def can_move(current: str, target: str) -> bool:
    """Whether a delivery in ``current`` may move to ``target``."""
    return DeliveryState(target) in TRANSITIONS[DeliveryState(current)]


class Channel(StrEnum):
    """How a delivery reaches its recipient."""

    EMAIL = "email"
    WEBHOOK = "webhook"
    SLACK = "slack"
    TEAMS = "teams"


SUBSCRIBER_CHANNELS = (Channel.EMAIL, Channel.WEBHOOK)
CHAT_CHANNELS = (Channel.SLACK, Channel.TEAMS)
HTTP_CHANNELS = (Channel.WEBHOOK, Channel.SLACK, Channel.TEAMS)

DIGEST_MODES = ("immediate", "daily")
DIGEST_HOUR = 9


def last_digest_moment(now: datetime, zone: str) -> datetime:
    """The latest 09:00 in the page's zone at or before ``now`` (aware, UTC)."""
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    moment = datetime.combine(local.date(), time(DIGEST_HOUR), tz)
    if moment > local:
        moment = datetime.combine(local.date() - timedelta(days=1), time(DIGEST_HOUR), tz)
    return moment.astimezone(ZoneInfo("UTC"))


def digest_due(last_digest_at: datetime | None, now: datetime, zone: str) -> bool:
    """A daily subscriber's digest is due once per day, at the first run after 09:00."""
    return last_digest_at is None or last_digest_at < last_digest_moment(now, zone)
