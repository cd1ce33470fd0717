"""Flask extension singletons, unbound until ``create_app`` wires them."""
from __future__ import annotations

import redis
from flask import Flask, current_app
from flask_caching import Cache
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from .models.base import Base
from .net import client_ip

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
cache = Cache()
limiter = Limiter(key_func=client_ip, default_limits=[])


class RedisClient:
    """One shared redis-py client per app, built from ``REDIS_URL``."""

    def init_app(self, app: Flask) -> None:
        timeout = app.config["REDIS_SOCKET_TIMEOUT"]
        # Under gevent hundreds of greenlets may want Redis at once; a blocking
        # pool makes them queue for one of REDIS_MAX_CONNECTIONS instead of
        # failing with "Too many connections" at redis-py's cap.
        pool = redis.BlockingConnectionPool.from_url(
            app.config["REDIS_URL"],
            max_connections=app.config.get("REDIS_MAX_CONNECTIONS", 100),
            timeout=timeout,
            socket_timeout=timeout,
            socket_connect_timeout=min(timeout, 1.0),
            health_check_interval=30,
        )
        app.extensions["redis"] = redis.Redis(connection_pool=pool)

    @property
    def client(self) -> redis.Redis:
        return current_app.extensions["redis"]

    def __getattr__(self, name):
        return getattr(self.client, name)


redis_client = RedisClient()
