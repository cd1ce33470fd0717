"""Secrets kept at rest: encrypted when the product must use them again, hashed when
it only compares them.

The encryption key is derived from ``SECRET_KEY`` (HKDF, its own purpose label),
so a database dump alone reveals no webhook URL or signing secret.
"""
from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

_PURPOSE = b"statuspage secrets at rest v1"
_fernets: dict[str, Fernet] = {}


def _fernet() -> Fernet:
    key = current_app.config["SECRET_KEY"]
    if key not in _fernets:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(key.encode())
        _fernets[key] = Fernet(base64.urlsafe_b64encode(derived))
    return _fernets[key]


def encrypt(plain: str) -> str:
    """Ciphertext (authenticated) for ``plain``."""
    return _fernet().encrypt(plain.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The plain text; ValueError when the key changed or the text was altered."""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except InvalidToken:
        raise ValueError("The stored secret cannot be decrypted with this SECRET_KEY.") from None


def digest(plain: str) -> str:
    """SHA-256 of a high-entropy secret (random tokens need no slow hash)."""
    return hashlib.sha256(plain.encode()).hexdigest()


def matches(plain: str, stored_digest: str | None) -> bool:
    """Constant-time comparison of ``plain`` against a stored digest."""
    return bool(stored_digest) and hmac.compare_digest(digest(plain), stored_digest)
