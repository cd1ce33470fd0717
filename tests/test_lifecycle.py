"""SIGTERM in a web worker marks the process as shutting down, then runs gunicorn's handler."""
import os
import signal

from statuspage import lifecycle


def test_sigterm_sets_flag_and_chains_previous_handler():
    seen = []
    original = signal.signal(signal.SIGTERM, lambda signum, frame: seen.append(signum))
    try:
        lifecycle.chain_sigterm()
        os.kill(os.getpid(), signal.SIGTERM)
        assert lifecycle.shutting_down.is_set()
        assert seen == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, original)
        lifecycle.shutting_down.clear()
