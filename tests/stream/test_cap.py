"""The per-process cap on public streams: past it, 503 + jittered Retry-After + a problem
body telling the reader to poll; console streams and ordinary requests still get in."""
from __future__ import annotations

import pytest

from statuspage.config import default_stream_cap, load_config
from tests.conftest import make_token


@pytest.fixture
def capped(app, short_streams):
    hub = app.extensions["stream_hub"]
    saved = {k: app.config[k] for k in ("STREAM_MAX_CLIENTS", "STREAM_RETRY_AFTER_SECONDS",
                                        "STREAM_POLL_SECONDS")}
    app.config.update(STREAM_MAX_CLIENTS=2, STREAM_RETRY_AFTER_SECONDS=20, STREAM_POLL_SECONDS=7)
    held = [hub.subscribe(2), hub.subscribe(2)]  # two open public streams fill the cap
    yield hub, held
    for subscriber in held:
        hub.unsubscribe(subscriber)
    app.config.update(saved)


def test_over_the_cap_a_public_stream_is_refused_with_retry_after_and_a_poll_hint(client, capped):
    waits = set()
    for _ in range(30):
        response = client.get("/api/stream/public")
        assert response.status_code == 503
        assert response.mimetype == "application/problem+json"
        body = response.json
        assert body["type"].endswith("/overloaded") and body["status"] == 503
        assert body["poll_url"] == "/api/public/status" and body["poll_interval"] == 7
        assert int(response.headers["Retry-After"]) == body["retry_after"]
        assert 20 <= body["retry_after"] <= 40
        waits.add(body["retry_after"])
    assert len(waits) > 3, "Retry-After is jittered, so refused readers do not return together"


def test_a_refused_reader_is_told_to_poll_not_that_it_is_rate_limited(client, capped, app,
                                                                      monkeypatch):
    # Refusals cost no rate-limit round trip and use none of the address's budget: a
    # reader that keeps retrying past the cap keeps hearing "poll", and gets its stream
    # as soon as a slot frees.
    hub, held = capped
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", True)
    monkeypatch.setitem(app.config, "STREAM_RATE_LIMIT", "2 per minute")
    assert [client.get("/api/stream/public").status_code for _ in range(5)] == [503] * 5
    hub.unsubscribe(held.pop())
    response = client.get("/api/stream/public")
    assert response.status_code == 200
    response.close()


def test_the_cap_leaves_console_streams_and_requests_alone(client, capped, app):
    token = make_token("viewer")
    admin = client.get("/api/stream/admin", headers={"Authorization": f"Bearer {token}"})
    assert admin.status_code == 200
    admin.get_data()
    assert client.get("/api/public/status").status_code == 200
    page = client.get("/status")
    assert b'data-poll-seconds="7"' in page.data and b'data-stream-retry-seconds="20"' in page.data


def test_a_freed_slot_is_taken_again(client, capped):
    hub, held = capped
    assert client.get("/api/stream/public").status_code == 503
    hub.unsubscribe(held.pop())
    hub.unsubscribe(held[0])
    hub.unsubscribe(held[0])  # twice: counted once
    held.clear()
    assert hub.capped_count == 0
    response = client.get("/api/stream/public")
    assert response.status_code == 200
    assert b"stream open" in response.get_data()
    assert hub.capped_count == 0  # the finished stream gave its slot back


def test_refusals_are_counted_in_metrics(client, capped):
    client.get("/api/stream/public")
    assert "statuspage_sse_refused_total" in client.get("/metrics").get_data(as_text=True)


@pytest.mark.parametrize("connections, cap", [(5000, 3000), (1000, 600), (100, 50), (60, 10), (10, 1)])
def test_default_cap_keeps_slots_for_requests(connections, cap):
    assert default_stream_cap(connections) == cap


def test_cap_follows_worker_connections_unless_set(tmp_path):
    env = {"SECRET_KEY": "x", "WORKER_CONNECTIONS": "2000"}
    assert load_config(str(tmp_path), env)["STREAM_MAX_CLIENTS"] == 1200
    assert load_config(str(tmp_path), {**env, "STREAM_MAX_CLIENTS": "77"})["STREAM_MAX_CLIENTS"] == 77
