"""``flask worker`` stays prompt however long it has been idle.

RQ waits for jobs with a blocking dequeue of up to the sweep interval (10 s by
default). Whether a worker could survive that wait used to depend on which pooled
Redis connection the dequeue happened to take at start-up, so this watches
several worker starts at once, each on its own Redis database (so each job goes
to the worker meant to take it), with the default settings: half of them over a
unix socket (the embedded default), half over TCP (a Redis server). The test starts
a Redis of its own and what it checks does not depend on the database, so the
embedded pass runs it for both transports and the PostgreSQL pass does not repeat
the minute.
"""
from __future__ import annotations

import time

import pytest
import redis
from rq import Queue
from rq.job import Job

from tests.conftest import POSTGRES
from tests.resilience.procs import RedisProcess, wait_for
from tests.stream.servers import Worker, base_env

pytestmark = [pytest.mark.slow(seconds=75),
              pytest.mark.skipif(POSTGRES, reason="backend-neutral; the embedded pass covers it")]

STARTS = 6
IDLE_SECONDS = 60
NOOP = "statuspage.jobs.email.fanout_events"  # with no event ids it touches nothing


@pytest.fixture
def redis_proc(tmp_path):
    server = RedisProcess(tmp_path)
    yield server
    server.stop()


def test_a_job_after_a_minute_idle_starts_within_a_second_on_every_start(
        instance_dir, tmp_path, redis_proc):
    urls = {db: redis_proc.url_for(db, unix=db % 2 == 1) for db in range(1, STARTS + 1)}
    for db in urls:
        (tmp_path / f"db{db}").mkdir()
    workers = {db: Worker(base_env(instance_dir, REDIS_URL=url, PUBLIC_BASE_URL="http://status.test"),
                          tmp_path / f"db{db}") for db, url in urls.items()}
    clients = {db: redis.Redis.from_url(url) for db, url in urls.items()}
    try:
        wait_for(lambda: all(c.scard("rq:workers") for c in clients.values()), 90,
                 "every worker to register")
        time.sleep(IDLE_SECONDS)  # the idle time under test, not a wait for a condition
        jobs = {db: Queue("default", connection=c).enqueue(NOOP, []) for db, c in clients.items()}

        def started():
            found = {db: Job.fetch(job.id, connection=clients[db]) for db, job in jobs.items()}
            return all(j.started_at for j in found.values()) and found
        waits = {db: (job.started_at - job.enqueued_at).total_seconds()
                 for db, job in wait_for(started, 120, "every job to start").items()}
        errors = {db: w.output().count("could not connect to Redis") for db, w in workers.items()}
        assert errors == {db: 0 for db in workers}, errors
        assert all(wait < 1.0 for wait in waits.values()), waits
    finally:
        for worker in workers.values():
            worker.stop()
        for client in clients.values():
            client.close()
