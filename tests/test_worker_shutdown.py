"""The worker process: JSON logs with job context, heartbeat, Heroku-style SIGTERM."""
import json
import signal
import subprocess
import sys
import time

import pytest
from rq import Queue
from rq.job import Job, JobStatus

from statuspage import heartbeat
from statuspage.extensions import redis_client
from tests.subprocess_app import ROOT, child_env

# Signal handling is the process's own; the database plays no part in it.
pytestmark = [pytest.mark.slow, pytest.mark.once(backend="postgres")]


def wait_for(predicate, timeout=180.0):
    # A deadline against hangs: a worker started under coverage on a machine loaded by
    # parallel test runs can take well over a minute to reach its work loop.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def start_worker(app, **env):
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "statuspage:create_app", "worker"],
        cwd=ROOT, env=child_env(app, WORKER_HEARTBEAT_SECONDS="0.2", **env),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_sigterm_abandons_a_long_job_safely(app):
    connection = redis_client.client
    worker = start_worker(app, WORKER_SHUTDOWN_GRACE_SECONDS="1")
    try:
        job = Queue("default", connection=connection).enqueue("time.sleep", 600)
        assert wait_for(lambda: Job.fetch(job.id, connection=connection).get_status()
                        == JobStatus.STARTED)
        assert heartbeat.age_seconds(connection) is not None
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=120)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert worker.returncode == 0, err
    job = Job.fetch(job.id, connection=connection)
    assert job.get_status() == JobStatus.FAILED
    assert "ShutDownImminentException" in (job.latest_result().exc_string or "")

    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert lines, err
    job_lines = [line for line in lines if line.get("job_id") == job.id]
    assert job_lines and all(line["job_name"] == "time.sleep" for line in job_lines)


def test_sigterm_lets_a_short_job_finish(app):
    connection = redis_client.client
    worker = start_worker(app, WORKER_SHUTDOWN_GRACE_SECONDS="60")
    try:
        job = Queue("default", connection=connection).enqueue("time.sleep", 1.5)
        assert wait_for(lambda: Job.fetch(job.id, connection=connection).get_status()
                        == JobStatus.STARTED)
        worker.send_signal(signal.SIGTERM)
        worker.communicate(timeout=120)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert worker.returncode == 0
    assert Job.fetch(job.id, connection=connection).get_status() == JobStatus.FINISHED


def test_sigterm_stops_an_idle_worker_instead_of_restarting_it(app):
    # The worker starts RQ again after a Redis error; a plain SIGTERM must still end it.
    connection = redis_client.client
    worker = start_worker(app)
    try:
        # "idle" is set once the work loop runs, after RQ installed its signal handlers.
        assert wait_for(lambda: any(connection.hget(key, "state") == b"idle"
                                    for key in connection.smembers("rq:workers")))
        worker.send_signal(signal.SIGTERM)
        worker.communicate(timeout=120)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert worker.returncode == 0
