"""Repeat requests answered from memory with the headers Flask gave the first one."""
import pytest

from tests.conftest import make_component


@pytest.fixture
def fast(app):
    return app.extensions["public_fastpath"]


def _headers(response):
    return {k: v for k, v in response.headers.items() if k != "X-Request-ID"}


def test_second_request_is_served_from_memory_with_identical_headers(client, api, fast):
    make_component(api, "API")
    first = client.get("/api/v2/summary.json")
    hits = fast.hits
    second = client.get("/api/v2/summary.json", headers={"X-Request-ID": "abc-123"})
    assert fast.hits == hits + 1
    assert second.data == first.data
    assert _headers(second) == _headers(first)
    assert second.headers["X-Request-ID"] == "abc-123"
    assert client.get("/api/v2/summary.json", headers={"X-Request-ID": "bad id!"}).headers["X-Request-ID"] != "bad id!"


def test_conditional_and_head_requests(client, api, fast):
    make_component(api, "API")
    etag = client.get("/status").headers["ETag"]
    not_modified = client.get("/status", headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.data == b""
    assert "Content-Security-Policy" in not_modified.headers
    head = client.head("/status")
    assert head.status_code == 200 and head.data == b""
    assert int(head.headers["Content-Length"]) > 1000


def test_a_commit_ends_fast_answers_at_once(client, api, fast):
    comp = make_component(api, "API")
    client.get("/api/v2/status.json")
    client.get("/api/v2/status.json")
    api.patch(f"/api/components/{comp['id']}", json={"status": "major_outage"})
    hits = fast.hits
    assert client.get("/api/v2/status.json").json["status"]["indicator"] == "critical"
    assert fast.hits == hits  # went through Flask


def test_query_strings_and_schemes_are_kept_apart(client, api):
    make_component(api, "API")
    client.get("/status/history")
    client.get("/status/history")
    assert client.get("/status/history?page=junk").status_code == 400
    plain = client.get("/status")
    client.get("/status")
    secure = client.get("/status", base_url="https://status.test")
    assert "Strict-Transport-Security" not in plain.headers
    assert "Strict-Transport-Security" in secure.headers


def test_writes_and_uncached_answers_always_reach_flask(client, api, fast):
    assert client.get("/status/incidents/999").status_code == 404
    hits = fast.hits
    assert client.get("/status/incidents/999").status_code == 404
    assert client.post("/status").status_code == 405
    assert fast.hits == hits


def test_observers_see_fast_answers(client, api, fast):
    make_component(api, "API")
    seen = []
    fast.observers.append(lambda *args: seen.append(args))
    try:
        client.get("/status/incidents/999")
        client.get("/api/v2/components.json")
        etag = client.get("/api/v2/components.json").headers["ETag"]
        client.get("/api/v2/components.json", headers={"If-None-Match": etag})
    finally:
        fast.observers.clear()
    assert [(m, r, s) for m, r, s, _ in seen] == [("GET", "/api/v2/components.json", 200),
                                                  ("GET", "/api/v2/components.json", 304)]
    assert all(seconds >= 0 for *_, seconds in seen)
