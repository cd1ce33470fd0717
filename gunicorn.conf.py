"""gunicorn settings for the web process (see Procfile and docs/DEPLOY.md).

Hooks here run in the master, before workers fork and gevent patches them, so
they use the standard library only: importing the app (or prometheus_client)
here would load ssl and friends unpatched into every worker.
"""
import glob
import os

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
# gunicorn 27's control socket defaults to one path per user; several web
# processes on one machine (scaling out, tests) would fight over it.
control_socket_disable = True

# Every worker writes its metric files here; same default as statuspage.config.prometheus_dir.
_instance = os.environ.get("INSTANCE_PATH") or os.path.join(os.path.dirname(
    os.path.abspath(__file__)), "instance")
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", os.path.join(_instance, "prometheus"))

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        "datefmt": "%Y-%m-%dT%H:%M:%S%z",
    }},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json",
                             "stream": "ext://sys.stdout"}},
    "loggers": {"gunicorn.error": {"handlers": ["console"], "level": "INFO",
                                   "propagate": False}},
}


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def on_starting(server):
    """Drop metric files left by processes of earlier runs (their pids are gone)."""
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(directory, exist_ok=True)
    for path in glob.glob(os.path.join(directory, "*.db")):
        pid = os.path.basename(path)[:-3].rsplit("_", 1)[-1]
        if pid.isdigit() and not _pid_alive(int(pid)):
            os.remove(path)


def post_worker_init(worker):
    from statuspage.lifecycle import chain_sigterm  # in the worker, after gevent patched it

    chain_sigterm()


def child_exit(server, worker):
    """A worker died: its live gauges (open SSE connections) stop counting.

    What prometheus_client.multiprocess.mark_process_dead does, without importing it here.
    """
    pattern = os.path.join(os.environ["PROMETHEUS_MULTIPROC_DIR"], f"gauge_live*_{worker.pid}.db")
    for path in glob.glob(pattern):
        os.remove(path)
