"""Idempotency-Key semantics, independent of HTTP.

The key row is inserted in the same transaction as the write it guards, so a
unique constraint makes "exactly once" hold even if Redis is gone. A short
Redis lock only lets a concurrent twin learn quickly that the original is
still in flight (409) instead of waiting for it.
"""
from __future__ import annotations

import hashlib
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

import redis
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..errors import IdempotencyConflict, IdempotencyMismatch
from ..extensions import db, redis_client
from ..models import IdempotencyKey, utcnow

log = logging.getLogger(__name__)
LOCK_SECONDS = 60


@dataclass
class StoredResponse:
    """A response kept for replaying an idempotent request."""

    status: int
    body: str
    headers: dict


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    """A hash of the request, to refuse a reused key with another body."""
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


class Claim:
    """A claimed key: holds the uncommitted row and the in-flight lock."""

    def __init__(self, row: IdempotencyKey, lock_key: str, lock_token: Optional[str]):
        self.row = row
        self.lock_key = lock_key
        self.lock_token = lock_token

    def complete(self, status: int, body: str, headers: dict) -> None:
        """Store the response in the same transaction as the write."""
        self.row.response_status = status
        self.row.response_body = body
        self.row.response_headers = json.dumps(headers)

    def release(self) -> None:
        """Drop the in-flight lock (after the response was stored, or on failure)."""
        if self.lock_token is None:
            return
        try:
            client = redis_client.client
            if client.get(self.lock_key) == self.lock_token.encode():
                client.delete(self.lock_key)
        except redis.RedisError:
            pass  # the lock expires by itself


def _lock_key(principal: str, key: str) -> str:
    return f"idempotency:{hashlib.sha256(f'{principal}|{key}'.encode()).hexdigest()}"


def _find(principal: str, key: str, ttl: timedelta) -> Optional[IdempotencyKey]:
    row = db.session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.principal == principal, IdempotencyKey.key == key)
    )
    if row is not None and row.created_at < utcnow() - ttl:
        return None
    return row


def _replay_or_refuse(row: IdempotencyKey, fingerprint: str) -> StoredResponse:
    if row.request_hash != fingerprint:
        raise IdempotencyMismatch(
            "This Idempotency-Key was already used with a different request body.")
    if row.response_status is None:
        raise IdempotencyConflict("A request with this Idempotency-Key is still in progress.")
    return StoredResponse(row.response_status, row.response_body or "",
                          json.loads(row.response_headers or "{}"))


def claim(principal: str, key: str, fingerprint: str, ttl_hours: int = 24) -> StoredResponse | Claim:
    """Either the stored response to replay, or a :class:`Claim` to complete with the write.

    Raises IdempotencyMismatch (422) or IdempotencyConflict (409).
    """
    ttl = timedelta(hours=ttl_hours)
    existing = _find(principal, key, ttl)
    if existing is not None:
        return _replay_or_refuse(existing, fingerprint)
    lock_key = _lock_key(principal, key)
    token = secrets.token_hex(8)
    try:
        if not redis_client.client.set(lock_key, token, nx=True, ex=LOCK_SECONDS):
            raise IdempotencyConflict("A request with this Idempotency-Key is still in progress.")
    except redis.RedisError:
        token = None  # the unique constraint alone still guarantees exactly-once
    # An expired row for this key would block the insert; it no longer counts.
    db.session.execute(delete(IdempotencyKey).where(
        IdempotencyKey.principal == principal, IdempotencyKey.key == key,
        IdempotencyKey.created_at < utcnow() - ttl))
    row = IdempotencyKey(principal=principal, key=key, request_hash=fingerprint, created_at=utcnow())
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        Claim(row, lock_key, token).release()
        twin = _find(principal, key, ttl)
        if twin is None:
            raise IdempotencyConflict("A request with this Idempotency-Key is still in progress.")
        return _replay_or_refuse(twin, fingerprint)
    return Claim(row, lock_key, token)


def purge_expired(ttl_hours: int = 24) -> int:
    """Delete keys older than the retention window (run by the worker)."""
    result = db.session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - timedelta(hours=ttl_hours)))
    db.session.commit()
    return result.rowcount or 0
