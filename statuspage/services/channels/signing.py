"""Standard Webhooks signing: ``webhook-id``, ``webhook-timestamp``, ``webhook-signature``.

The signature is ``v1,`` + base64(HMAC-SHA256(key, "<id>.<timestamp>.<body>")) where
the key is the base64 part of the subscriber's ``whsec_`` secret, so receivers
verify it with any Standard Webhooks library.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh signing secret (24 random bytes)."""
    return PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value."""
    key = base64.b64decode(secret.removeprefix(PREFIX))
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def message_id(delivery_id: int, created_at) -> str:
    """The delivery's ``webhook-id``: the same on every attempt, so receivers de-duplicate."""
    return f"msg_{int(created_at.timestamp())}_{delivery_id}"


def headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict:
    """The signed request's headers."""
    return {"Content-Type": "application/json", "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature(secret, msg_id, timestamp, body)}
