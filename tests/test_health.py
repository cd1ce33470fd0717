"""/healthz: dependencies, heartbeat, 503 naming what failed, exempt from rate limits."""
import socket
import time

from statuspage import heartbeat
from statuspage.extensions import redis_client


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthy(anon):
    response = anon.get("/healthz")
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "ok" and body["db"] == "ok" and body["redis"] == "ok"
    assert body["worker_heartbeat_age_seconds"] is None  # no worker has beaten yet
    assert body["uptime_seconds"] >= 0
    assert body["version"]
    assert response.headers["Cache-Control"] == "no-store"


def test_reports_worker_heartbeat_age(anon):
    heartbeat.beat(redis_client.client)
    age = anon.get("/healthz").json["worker_heartbeat_age_seconds"]
    assert 0 <= age < 3600


def test_503_when_redis_is_down(other_app):
    broken = other_app(REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["redis"] == "error"
    assert response.json["db"] == "ok"
    assert response.json["failed"] == ["redis"]
    assert response.json["status"] == "error"


def test_503_when_database_is_down(other_app, tmp_path):
    broken = other_app(
                       SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/x.db")
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["failed"] == ["db"]
    assert response.json["redis"] == "ok"


def test_metrics_survive_a_redis_outage(other_app):
    broken = other_app(REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    text = broken.test_client().get("/metrics").get_data(as_text=True)
    assert 'statuspage_dependency_up{dependency="redis"} 0.0' in text
    assert 'statuspage_dependency_up{dependency="db"} 1.0' in text


def test_heartbeat_thread_beats_until_stopped(app):
    connection = redis_client.client
    stop = heartbeat.start(connection, interval=0.05)
    try:
        first = connection.get(heartbeat.HEARTBEAT_KEY)
        assert first is not None
        deadline = time.monotonic() + 10
        while connection.get(heartbeat.HEARTBEAT_KEY) == first and time.monotonic() < deadline:
            time.sleep(0.02)
        assert connection.get(heartbeat.HEARTBEAT_KEY) != first
    finally:
        stop.set()


def test_garbage_heartbeat_reads_as_unknown(app):
    redis_client.client.set(heartbeat.HEARTBEAT_KEY, "not-a-number")
    assert heartbeat.age_seconds(redis_client.client) is None
