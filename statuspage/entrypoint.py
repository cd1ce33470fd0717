"""What a process does before it serves: the app factory only wires, this starts things.

Every process entry point (``wsgi.py`` for gunicorn and the ``flask``
command, the test suite's fixtures, the benchmarks) builds its app with
:func:`build_app`, which

* tells prometheus_client where this deployment's multiprocess files live
  (it reads that once, when it is first imported), and
* on the embedded default (no ``REDIS_URL``), starts the redis-server of the
  instance folder or joins the one another process started.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

from flask import Flask

from . import create_app, embedded_redis
from .config import ConfigError, prometheus_dir


def prepare_process() -> None:
    """Settle process-wide settings: private files, and what must precede the first import
    of prometheus_client."""
    # Whatever this process creates (the SQLite file, the embedded Redis's files, emails
    # written to the outbox folder, metric files) holds secrets or personal data: owner only.
    os.umask(0o077)
    directory = prometheus_dir()
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", directory)
    Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)


def start_services(app: Flask) -> None:
    """Start (or join) the embedded redis-server when the app uses it."""
    if app.config.get("REDIS_EMBEDDED"):
        embedded_redis.ensure_running(app.instance_path)


def build_app(test_config: Optional[dict] = None) -> Flask:
    """The app of this process, with what it depends on running.

    A setting the process must not start with ends it with one line on stderr
    and exit status 3, which also makes a gunicorn master stop instead of
    booting workers again and again.
    """
    prepare_process()
    try:
        app = create_app(test_config)
    except ConfigError as exc:
        print(f"statuspage: refusing to start: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(3) from None
    start_services(app)
    return app
