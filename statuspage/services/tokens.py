"""Signed, expiring links for subscribers (itsdangerous), one salt per purpose.

A token names a subscriber id plus a digest of the address, so a token for a
deleted row can never act on a later row that reuses its id.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import zlib
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, timezone
from typing import Optional

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..domain.subscribers import mailbox_key

PURPOSES = ("confirm", "unsubscribe", "manage")
_SALT = {p: f"statuspage.subscriber.{p}" for p in PURPOSES}


class InvalidToken(Exception):
    """The link was tampered with, is for another purpose, or has expired."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "invalid" | "expired"


@dataclass(frozen=True)
class TokenData:
    """What a valid link token names."""

    subscriber_id: int
    email_digest: str
    issued_at: datetime


def email_digest(email: str) -> str:
    """A short digest of the mailbox: a link stops working once the address changes."""
    return hashlib.sha256(mailbox_key(email).encode()).hexdigest()[:16]


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT[purpose])


def _max_age(purpose: str) -> int:
    if purpose == "confirm":
        return current_app.config["TOKEN_MAX_AGE_CONFIRM"]
    return current_app.config["TOKEN_MAX_AGE_LINKS"]


def make(purpose: str, subscriber_id: int, email: str, issued_at: Optional[datetime] = None) -> str:
    """A signed token for ``purpose`` naming this subscriber and address: what
    ``URLSafeTimedSerializer.dumps`` makes (and :func:`load` checks), signed here
    directly, as two links go into every notification email."""
    # A fixed issue time makes the same link every time (a webhook body stays
    # byte-identical across retries of one delivery).
    stamp = int(issued_at.timestamp()) if issued_at is not None else int(time.time())
    data = json.dumps([subscriber_id, email_digest(email)], ensure_ascii=False,
                      separators=(",", ":")).encode()
    packed = zlib.compress(data)
    payload = b"." + _b64(packed) if len(packed) < len(data) - 1 else _b64(data)
    value = payload + b"." + _b64(stamp.to_bytes(8, "big").lstrip(b"\x00"))
    signature = hmac.new(_signing_key(current_app.config["SECRET_KEY"], purpose), value, hashlib.sha1)
    return (value + b"." + _b64(signature.digest())).decode()


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


@lru_cache(maxsize=32)
def _signing_key(secret_key, purpose: str) -> bytes:
    # itsdangerous's default key derivation ("django-concat", SHA-1).
    secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hashlib.sha1(_SALT[purpose].encode() + b"signer" + secret).digest()


def load(purpose: str, token: str) -> TokenData:
    """Verify a token; raises :class:`InvalidToken` ("invalid" or "expired")."""
    try:
        data, issued = _serializer(purpose).loads(token, max_age=_max_age(purpose),
                                                  return_timestamp=True)
    except SignatureExpired:
        raise InvalidToken("expired") from None
    except BadSignature:
        raise InvalidToken("invalid") from None
    if (not isinstance(data, list) or len(data) != 2 or not isinstance(data[0], int)
            or not isinstance(data[1], str)):
        raise InvalidToken("invalid")
    return TokenData(data[0], data[1], issued.astimezone(timezone.utc))


def url(purpose: str, subscriber_id: int, email: str, issued_at: Optional[datetime] = None) -> str:
    """The absolute link (from PUBLIC_BASE_URL) for a purpose."""
    base = current_app.config["PUBLIC_BASE_URL"]
    return f"{base}/subscriptions/{purpose}/{make(purpose, subscriber_id, email, issued_at)}"
