"""``/healthz`` for uptime monitors and load balancers: cheap, unauthenticated, never limited."""
from __future__ import annotations

import time

import redis
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from . import heartbeat
from .extensions import db, limiter, redis_client
from .version import __version__

bp = Blueprint("health", __name__)
_STARTED = time.monotonic()


def _check_db() -> str:
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        current_app.logger.warning("healthz: database check failed: %s", exc)
        return "error"
    return "ok"


def _check_redis() -> tuple[str, float | None]:
    try:
        connection = redis_client.client
        connection.ping()
        return "ok", heartbeat.age_seconds(connection)
    except redis.RedisError as exc:
        current_app.logger.warning("healthz: redis check failed: %s", exc)
        return "error", None


@bp.get("/healthz")
def healthz():
    """200 when the database and Redis answer; 503 naming the failed dependency otherwise.

    The worker's heartbeat is reported but does not fail the check: web can serve
    the status page while the worker restarts.
    """
    db_status = _check_db()
    redis_status, age = _check_redis()
    failed = [name for name, status in (("db", db_status), ("redis", redis_status))
              if status != "ok"]
    body = {
        "status": "ok" if not failed else "error",
        "db": db_status,
        "redis": redis_status,
        "worker_heartbeat_age_seconds": age,
        "uptime_seconds": round(time.monotonic() - _STARTED, 3),
        "version": __version__,
    }
    if failed:
        body["failed"] = failed
    response = jsonify(body)
    response.status_code = 503 if failed else 200
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app) -> None:
    limiter.exempt(bp)
    app.register_blueprint(bp)
