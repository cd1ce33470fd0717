"""Operators writing at the same time through one gevent web process.

Every request of a gevent worker shares one OS thread. A write that waits on the
database must let the other requests run, or the one holding the write lock can
never commit and the whole process stalls until the worker is killed.
"""
from __future__ import annotations

import threading

import pytest

from tests.conftest import make_token

from .conftest import call

pytestmark = pytest.mark.slow(seconds=20)

WRITERS = 6
WRITES_EACH = 12


def test_concurrent_writes_all_answer_without_stalling_the_process(web):
    token = make_token("responder")
    statuses: list[int] = []
    failures: list[str] = []

    def writer(n: int) -> None:
        for i in range(WRITES_EACH):
            try:
                status, body = call(web, token, "POST", "/api/incidents",
                                    {"title": f"Writer {n} #{i}", "severity": "SEV3"})
                statuses.append(status)
            except OSError as exc:  # a stalled or killed worker: timeout or reset
                failures.append(f"writer {n} #{i}: {exc!r}")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert statuses == [201] * (WRITERS * WRITES_EACH)
    assert "WORKER TIMEOUT" not in web.output()
