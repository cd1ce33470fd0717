"""Flask extension singletons, unbound until ``create_app`` wires them."""
from __future__ import annotations

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry
from flask import Flask, current_app
from flask_caching import Cache
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from .models.base import Base
from .net import client_ip

db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
login_manager = LoginManager()
cache = Cache()
limiter = Limiter(key_func=client_ip, default_limits=[])


def connect_redis(url: str, timeout: float = 2.0, max_connections: int = 100) -> redis.Redis:
    """A redis-py client that fails fast: when Redis is down, writes must still
    answer promptly (their events wait in the outbox), not after seconds of backoff.

    Under gevent hundreds of greenlets may want Redis at once; a blocking pool
    makes them queue for one of ``max_connections`` instead of failing with
    "Too many connections" at redis-py's cap.
    """
    pool = redis.BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=timeout,
        socket_timeout=timeout,
        socket_connect_timeout=min(timeout, 0.5),
        health_check_interval=30,
        retry=Retry(ExponentialBackoff(cap=0.1, base=0.01), retries=1),
    )
    return redis.Redis(connection_pool=pool)


class RedisClient:
    """One shared redis-py client per app, built from ``REDIS_URL``."""

    def init_app(self, app: Flask) -> None:
        """Build the app's client from its configuration."""
        app.extensions["redis"] = connect_redis(app.config["REDIS_URL"], app.config["REDIS_SOCKET_TIMEOUT"],
                                                app.config.get("REDIS_MAX_CONNECTIONS", 100))

    @property
    def client(self) -> redis.Redis:
        """The current app's client."""
        return current_app.extensions["redis"]


redis_client = RedisClient()
