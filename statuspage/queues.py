"""RQ queues named by purpose, and enqueueing that never fails its caller.

A leaf module: it imports nothing of the application, so the worker, the jobs
and the after-commit pipeline can all use it without import cycles. Jobs are
enqueued as function objects, so a renamed job fails when its caller is
imported rather than when a worker finally picks the job up.
"""
from __future__ import annotations

import logging
from typing import Callable, Optional

import redis
from flask import current_app
from rq import Queue
from rq.job import Job

log = logging.getLogger(__name__)

# Highest priority first: the worker drains them in this order.
QUEUES = ("events", "email", "default")


def queue(name: str = "default") -> Queue:
    """An RQ queue on the app's Redis; jobs run inline when ``RQ_ASYNC`` is false."""
    return Queue(name, connection=current_app.extensions["redis"],
                 is_async=current_app.config["RQ_ASYNC"])


def _describe(func: Callable) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def enqueue(func: Callable, *args, on: str = "default", **options) -> Optional[Job]:
    """Enqueue ``func(*args)`` on queue ``on``; None (and a warning) when Redis is unreachable.

    Callers enqueue work whose rows are already committed, so a lost job is
    found again by the worker's sweeps; failing the caller would gain nothing.
    """
    try:
        return queue(on).enqueue(func, *args, **options)
    except redis.RedisError as exc:
        log.warning("could not enqueue %s (a sweep will catch up): %s", _describe(func), exc)
        return None

