"""Incident management and public status page."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:  # Flask stays unimported until an app is built: the gunicorn master
    from flask import Flask  # imports .redaction and must not load ssl unpatched


def _redis_storage_uri(url: str) -> str:
    return "redis+unix://" + url[len("unix://"):] if url.startswith("unix://") else url


def _limiter_pool_options(config: dict) -> dict:
    # A connection storm (every browser reconnecting after a deploy) must wait
    # for a pooled connection rather than hit redis-py's cap and fail open.
    import redis

    if not config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "redis+unix://", "rediss://")):
        return {}
    pool = redis.BlockingConnectionPool.from_url(
        config["REDIS_URL"], max_connections=config["RATELIMIT_REDIS_CONNECTIONS"],
        timeout=config["REDIS_SOCKET_TIMEOUT"], socket_timeout=config["REDIS_SOCKET_TIMEOUT"])
    return {"connection_pool": pool}


def create_app(test_config: Optional[dict] = None) -> Flask:
    """Application factory: configuration, extensions, blueprints, CLI (it starts nothing).

    On the embedded default ``REDIS_URL`` points at the instance folder's
    redis-server, which the process entry point starts (:mod:`.entrypoint`).
    """
    from flask import Flask

    from . import embedded_redis, metrics
    from . import admin, after_commit, cli, db as _db_events, health, i18n, logs, migration, tracing, web  # noqa: F401
    from .api import bp as api_bp
    from .api import problems
    from .config import instance_path as configured_instance_path
    from .config import load_config
    from .extensions import cache, csrf, db, limiter, login_manager, redis_client
    from .metrics_domain import DomainCollector
    from .stream import views as stream_views
    from .subscriptions import bp as subscriptions_bp

    # Tests and side-by-side instances pick their own instance folder.
    instance_path = (test_config or {}).get("INSTANCE_PATH") or configured_instance_path()
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.from_mapping(load_config(app.instance_path))
    if test_config:
        app.config.update(test_config)
    if not app.config["REDIS_URL"]:
        app.config.update(REDIS_URL=embedded_redis.url(app.instance_path), REDIS_EMBEDDED=True)
    app.config.setdefault("RATELIMIT_STORAGE_URI", _redis_storage_uri(app.config["REDIS_URL"]))
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", _limiter_pool_options(app.config))
    app.config.setdefault("CACHE_TYPE", "RedisCache")
    app.config.setdefault("CACHE_REDIS_URL", app.config["REDIS_URL"])
    app.config.setdefault("CACHE_KEY_PREFIX", "statuspage:cache:")

    db.init_app(app)
    migration.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    cache.init_app(app)
    redis_client.init_app(app)
    logs.init_app(app)
    web.init_app(app)
    i18n.init_app(app)
    metrics.init_app(app, collectors=(DomainCollector(),))
    health.init_app(app)
    problems.init_app(app)
    _init_login(login_manager)

    csrf.exempt(api_bp)  # the API checks CSRF itself for cookie-authenticated writes
    app.register_blueprint(api_bp)
    app.register_blueprint(subscriptions_bp)
    stream_views.init_app(app)
    cli.init_app(app)
    _init_public(app)
    admin.init_app(app)  # after the public part: its session interface extends the public one
    after_commit.init_app(app)
    tracing.init_app(app)
    return app


def _init_public(app: Flask) -> None:
    from . import markdown, metrics, public, security, visibility

    security.init_app(app)
    visibility.init_app(app)
    markdown.init_app(app)
    public.init_app(app)
    fast = app.extensions.get("public_fastpath")
    if fast is not None:  # requests it answers never enter Flask's hooks; count them anyway
        fast.observers.append(metrics.observe_fast)


def _init_login(login_manager) -> None:
    from .services import user_sessions

    # The cookie names a server-side session, not a user: it can be ended and it expires.
    login_manager.user_loader(user_sessions.resume)
