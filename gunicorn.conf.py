"""gunicorn settings for the web process (see Procfile and docs/DEPLOY.md)."""
import os

from statuspage.config import prometheus_dir

bind = f"0.0.0.0:{os.environ.get('PORT', '5000')}"
worker_class = "gevent"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "2000"))
timeout = 30
# SIGTERM: stop accepting, let in-flight requests finish for up to graceful_timeout
# (below Heroku's 30 s before SIGKILL); SSE streams end at once (statuspage.lifecycle).
graceful_timeout = int(os.environ.get("GRACEFUL_TIMEOUT", "20"))
keepalive = 5
accesslog = None  # the app writes one JSON access line per request itself

# Every worker writes its metrics files here; the master must know it before forking.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", prometheus_dir())

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
    }},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json",
                             "stream": "ext://sys.stdout"}},
    "loggers": {"gunicorn.error": {"handlers": ["console"], "level": "INFO",
                                   "propagate": False}},
}


def on_starting(server):
    """Drop metric files of processes from earlier runs before workers start."""
    from statuspage.metrics import clean_stale_files

    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
    clean_stale_files()


def post_worker_init(worker):
    from statuspage.lifecycle import chain_sigterm

    chain_sigterm()


def child_exit(server, worker):
    """A worker died: its live gauges (open SSE connections) must stop counting."""
    from statuspage.metrics import process_exited

    process_exited(worker.pid)
