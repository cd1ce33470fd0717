"""Anonymous input that used to reach a 500 or be read whole: refused early with a 4xx."""
from __future__ import annotations

import socket

import pytest

from statuspage.config import load_config
from tests.helpers import assert_problem, counts
from tests.stream.servers import WebServer, base_env

DEEP = 1000


@pytest.mark.parametrize("raw", [
    "[" * DEEP + "]" * DEEP,
    '{"a":' * DEEP + "1" + "}" * DEEP,
    '{"email": ' + "[" * 100_000 + "]" * 100_000 + "}",
    # Shallow enough for any parser (Python 3.12's parses all of the above too): the
    # bound is the app's own, not the interpreter's recursion limit.
    '{"email": ' + "[" * 40 + "]" * 40 + "}",
])
def test_deeply_nested_json_is_a_400_problem(anon, api, raw):
    before = counts()
    for client in (anon, api):
        response = client.post("/api/subscribers", data=raw, headers={
            "Content-Type": "application/json"})
        assert_problem(response, 400)
    assert_problem(api.post("/api/incidents", data=raw,
                            headers={"Content-Type": "application/json"}), 400)
    assert counts() == before


@pytest.mark.parametrize("page", ["2", "9999", "99999999999999999999"])
def test_out_of_range_history_pages_are_a_404_page(client, page):
    response = client.get(f"/status/history?page={page}")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "No history on that page" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", [
    "/api/stream/public?last_event_id=99999999999999999999999-0",
    "/api/stream/public?last_event_id=-1-x",
    "/status/maintenance.ics?component=99999999999999999999",
    "/subscriptions/?incident=99999999999999999999",
    "/status/incidents/99999999999999999999",
    "/api/public/incidents/99999999999999999999",
])
def test_out_of_range_query_values_never_answer_500(client, path):
    response = client.get(path, buffered=False)
    try:
        assert 200 <= response.status_code < 500, path
    finally:
        response.close()


# --- Request bodies are capped -------------------------------------------------------

def test_a_body_over_the_cap_is_a_413_problem_on_the_api(anon):
    before = counts()
    response = anon.post("/api/subscribers", data=b'{"email": "' + b"a" * (1 << 20) + b'"}',
                         headers={"Content-Type": "application/json"})
    assert_problem(response, 413)
    assert counts() == before


def test_a_form_over_the_cap_is_a_friendly_413_page(client):
    response = client.post("/subscriptions/", data={"email": "a" * (1 << 20)})
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert "too large" in response.get_data(as_text=True)


def test_the_cap_is_configurable(tmp_path, other_app):
    assert load_config(str(tmp_path), env={})["MAX_CONTENT_LENGTH"] == 1024 * 1024
    settings = load_config(str(tmp_path), env={"MAX_CONTENT_LENGTH": "1000"})
    small = other_app(MAX_CONTENT_LENGTH=settings["MAX_CONTENT_LENGTH"]).test_client()
    response = small.post("/api/subscribers", data=b'{"email": "' + b"a" * 2000 + b'"}',
                          headers={"Content-Type": "application/json"})
    assert response.status_code == 413


@pytest.mark.once(backend="postgres")  # gunicorn refuses it before the app, or any database, sees it
def test_a_60_mb_body_is_refused_before_it_is_read(instance_dir, tmp_path):
    """Only the headers are sent: the answer comes without the server waiting for 60 MB."""
    server = WebServer(base_env(instance_dir), tmp_path)
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
            sock.sendall(b"POST /api/subscribers HTTP/1.1\r\nHost: status.test\r\n"
                         b"Content-Type: application/json\r\n"
                         b"Content-Length: 62914560\r\n\r\n")
            answer = b""
            while b"\r\n\r\n" not in answer:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
    finally:
        server.stop()
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split()[1] == b"413", answer
    assert b"application/problem+json" in rest


@pytest.mark.parametrize("query", [
    "since=0001-01-01T00:00:00%2B05:00", "until=9999-12-31T23:59:59-05:00",
    "since=9999-12-31T23:59:59-05:00&until=0001-01-01T00:00:00Z",
])
def test_extreme_dates_in_queries_never_answer_500(api, query):
    from tests.conftest import make_component

    component = make_component(api)
    for path in (f"/api/components/{component['id']}/history", "/api/audit"):
        response = api.get(f"{path}?{query}")
        assert response.status_code < 500, (path, response.get_data(as_text=True))
