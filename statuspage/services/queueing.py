"""Enqueue email work for the worker; jobs are named by path to avoid import cycles.

Enqueueing never raises: if Redis is down the rows stay PENDING (or the outbox
row stays ``fanout_status='pending'``) and the worker's sweep finds them later.
"""
from __future__ import annotations

import logging
from typing import Iterable

import redis
from flask import current_app
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from ..extensions import db

log = logging.getLogger(__name__)
_SESSION_KEY = "deliveries_to_send"
SEND_JOB = "statuspage.jobs.email.send_deliveries"
FANOUT_JOB = "statuspage.jobs.email.fanout_events"


def _chunks(ids: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _enqueue(func: str, *args) -> bool:
    from ..worker import queue

    try:
        queue("email").enqueue(func, *args, job_timeout=1800, result_ttl=60)
        return True
    except redis.RedisError as exc:
        log.warning("could not enqueue %s (the sweep will catch up): %s", func, exc)
        return False


def send(ids: Iterable[int]) -> None:
    """Enqueue send jobs for delivery ids, in batches that share one SMTP connection."""
    ids = sorted(set(ids))
    for chunk in _chunks(ids, current_app.config["DELIVERY_BATCH_SIZE"]):
        _enqueue(SEND_JOB, chunk)


def fanout(event_ids: list[int]) -> None:
    if event_ids:
        _enqueue(FANOUT_JOB, sorted(event_ids))


def send_after_commit(ids: Iterable[int]) -> None:
    """Enqueue these deliveries once the current transaction commits (never on rollback)."""
    db.session.info.setdefault(_SESSION_KEY, []).extend(ids)


@sa_event.listens_for(Session, "after_rollback")
def _discard(session):
    session.info.pop(_SESSION_KEY, None)


@sa_event.listens_for(Session, "after_commit")
def _dispatch(session):
    ids = session.info.pop(_SESSION_KEY, None)
    if ids:
        send(ids)
