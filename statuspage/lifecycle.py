"""Process lifecycle flags shared by the server hooks and long-lived responses.

``shutting_down`` is set when the web process receives SIGTERM (see
``gunicorn.conf.py``). Long-lived responses (SSE streams) check it between
heartbeats and end, so their clients reconnect to another process while
ordinary requests finish within gunicorn's graceful timeout.
"""
from __future__ import annotations

import signal
import threading

shutting_down = threading.Event()


def chain_sigterm() -> None:
    """Set ``shutting_down`` on SIGTERM, then run whatever handler was installed before."""
    previous = signal.getsignal(signal.SIGTERM)

    def on_sigterm(signum, frame):
        shutting_down.set()
        if callable(previous):
            previous(signum, frame)

    signal.signal(signal.SIGTERM, on_sigterm)
