"""gunicorn settings for the web process (see Procfile and docs/DEPLOY.md).

gevent workers, because every open SSE stream is a long-lived request: a
greenlet each, instead of a thread or a process each. The gevent worker
monkey-patches the standard library before it imports the app, which makes
redis-py's sockets and psycopg 3 (it switches to its select-based wait when
it sees a patched ``select``) cooperative; SQLite calls are short and local.

The master imports nothing of the app but its worker class (gunicorn's gevent worker,
subclassed), and hooks that run in the master use the standard library only: importing
the app (or prometheus_client) there would load its libraries unpatched into every
worker.
"""
import glob
import os
import resource

from statuspage.web_worker import Worker

bind = [f"0.0.0.0:{os.environ.get('PORT', '5000')}"]
# A listener of their own for live streams, for a proxy in front that sends /api/stream/
# there (docs/DEPLOY.md). Each listener has its own accept queue and worker_connections
# slots, so a storm of readers' new stream connections never queues ahead of page loads
# and operators' writes. A --bind on the command line replaces both: list both there.
if os.environ.get("STREAM_BIND"):
    bind.append(os.environ["STREAM_BIND"])
# gunicorn's gevent worker, closing anonymous connections after their answer when the
# process is nearly full (see statuspage/web_worker.py).
worker_class = Worker
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Greenlets per worker = concurrent requests, SSE streams included.
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "5000"))
timeout = 30
# SIGTERM: stop accepting, let in-flight requests finish for up to graceful_timeout
# (below Heroku's 30 s before SIGKILL); SSE streams end at once.
graceful_timeout = int(os.environ.get("GRACEFUL_TIMEOUT", "20"))
keepalive = 5
accesslog = None  # the app writes one JSON access line per request itself
# gunicorn's control socket defaults to one path per user, which several
# instances on one machine (tests, side-by-side web processes) would fight
# over; opt in with GUNICORN_CONTROL_SOCKET=/path.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
# Load the app in each worker after gevent patched it (never in the master).
preload_app = False

# Every worker writes its metric files here; same default as statuspage.config.prometheus_dir.
_instance = os.environ.get("INSTANCE_PATH") or os.path.join(os.path.dirname(
    os.path.abspath(__file__)), "instance")
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", os.path.join(_instance, "prometheus"))

# One handler for the whole process, on the root logger: redacted JSON lines on
# stdout. gunicorn's loggers only propagate to it (their own handlers would write
# each record a second time, unredacted), and in each worker the app replaces it
# by the same handler plus request context. Its module imports no Flask.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": "INFO", "handlers": ["statuspage-json"]},
    # dictConfig names the handler after its key: the name the app replaces it by.
    "handlers": {"statuspage-json": {"()": "statuspage.redaction.stdout_handler"}},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
        # The app writes one access line per request itself (path tokens redacted).
        "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
    },
}


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _raise_open_file_limit(log, listeners: int) -> None:
    # Each stream is one socket; allow every listener's slots full plus the worker's
    # Redis and DB connections, up to the hard limit the machine grants.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = worker_connections * listeners + 256
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft != resource.RLIM_INFINITY and soft < worker_connections * listeners:
        log.warning("open-file limit %s is below worker_connections %s for %s listener(s)",
                    soft, worker_connections, listeners)


def on_starting(server):
    """Drop metric files left by processes of earlier runs (their pids are gone)."""
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(directory, mode=0o700, exist_ok=True)
    for path in glob.glob(os.path.join(directory, "*.db")):
        pid = os.path.basename(path)[:-3].rsplit("_", 1)[-1]
        if pid.isdigit() and not _pid_alive(int(pid)):
            os.remove(path)


def post_fork(server, worker):
    _raise_open_file_limit(server.log, len(worker.sockets))


# Allocations between young-generation collections, and collections between older ones
# (CPython's defaults: 700, 10, 10).
GC_THRESHOLDS = (10_000, 50, 100)


def _collect_garbage_rarely() -> None:
    # With thousands of open streams a full collection walked every greenlet, frame and
    # socket: pauses of 90-160 ms in which the process answered nothing. What exists once
    # the app is loaded (modules, the app itself) lives as long as the process: frozen,
    # no collection walks it again; and collections run an order of magnitude less often.
    import gc

    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def post_worker_init(worker):
    _collect_garbage_rarely()
    # Refuse to serve streams from an unpatched worker: one blocking psycopg
    # or Redis call would freeze every stream of the process.
    if not isinstance(worker, Worker):
        return
    from gevent import monkey

    for module in ("socket", "select", "threading", "time"):
        if not monkey.is_module_patched(module):
            raise RuntimeError(f"gevent did not patch {module!r}; streams would block")
    import gevent

    gevent.spawn(_close_streams_on_shutdown, worker)


def _close_streams_on_shutdown(worker):
    # On SIGTERM the worker stops accepting and waits for open requests, and an
    # SSE stream never finishes by itself: end them at once so deploys are quick
    # (clients reconnect with Last-Event-ID and miss nothing).
    import gevent

    while worker.alive:
        gevent.sleep(0.25)
    hub = getattr(worker.wsgi, "extensions", {}).get("stream_hub")
    if hub is not None:
        hub.close_all()


def child_exit(server, worker):
    """A worker died: its live gauges (open SSE connections) stop counting.

    What prometheus_client.multiprocess.mark_process_dead does, without importing it here.
    """
    pattern = os.path.join(os.environ["PROMETHEUS_MULTIPROC_DIR"], f"gauge_live*_{worker.pid}.db")
    for path in glob.glob(pattern):
        os.remove(path)
