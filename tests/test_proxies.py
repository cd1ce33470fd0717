"""Client addresses: with one trusted proxy (Heroku's router) logs and rate limits see the
real client; by default (no trusted proxy) ``X-Forwarded-For`` is ignored altogether."""
import http.client
import json
import re
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from statuspage.extensions import db
from statuspage.models import AuditEvent
from tests.stream.servers import WebServer, base_env
from tests.subprocess_app import run_child

ROUTER = {"REMOTE_ADDR": "10.1.2.3"}


def test_logged_ip_is_the_client_behind_one_proxy(other_app, json_logs):
    anon = other_app(TRUSTED_PROXIES=1, LOG_JSON=False).test_client()  # keeps json_logs
    anon.get("/healthz", headers={"X-Forwarded-For": "203.0.113.7"}, environ_base=ROUTER)
    anon.get("/healthz", headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.7"},
             environ_base=ROUTER)
    anon.get("/healthz", environ_base=ROUTER)  # no header: the peer itself
    access = [line for line in json_logs() if line["logger"] == "statuspage.access"]
    assert [line["remote_ip"] for line in access] == ["203.0.113.7", "203.0.113.7", "10.1.2.3"]


RATE_LIMIT_CHILD = """
import json
from statuspage import create_app
from statuspage.extensions import limiter
from statuspage.api.auth import rate_limit_key

app = create_app({"RATELIMIT_ENABLED": True, "TESTING": True})

@app.get("/probe")
@limiter.limit("2 per minute")
def probe():
    return rate_limit_key()

client = app.test_client()
router = {"REMOTE_ADDR": "10.1.2.3"}
def get(path, xff):
    r = client.get(path, headers={"X-Forwarded-For": xff}, environ_base=router)
    return [r.status_code, r.get_data(as_text=True)]

out = {
    "same_client_spoofing": [get("/probe", "203.0.113.7"), get("/probe", "1.1.1.1, 203.0.113.7"),
                             get("/probe", "9.9.9.9, 8.8.8.8, 203.0.113.7")],
    "other_client": get("/probe", "198.51.100.2"),
    "healthz": [client.get("/healthz", environ_base=router).status_code for _ in range(5)],
    "metrics": [client.get("/metrics", environ_base=router).status_code for _ in range(5)],
}
print(json.dumps(out))
"""


def test_spoofed_forwarded_for_does_not_change_the_rate_limit_key(app):
    out = run_child(app, RATE_LIMIT_CHILD, RATELIMIT_APPLICATION="3 per minute", TRUSTED_PROXIES="1")
    first, second, third = out["same_client_spoofing"]
    assert first == [200, "ip:203.0.113.7"]
    assert second == [200, "ip:203.0.113.7"]  # a prepended entry is not trusted
    assert third[0] == 429  # still the same key: the limit holds despite the spoofing
    assert out["other_client"] == [200, "ip:198.51.100.2"]
    # /healthz and /metrics are exempt even from the application-wide limit.
    assert out["healthz"] == [200] * 5
    assert out["metrics"] == [200] * 5


# --- Clients that connect directly (the default: no proxy is trusted) -----------------

def _direct_server(instance_dir, tmp_path, **settings) -> WebServer:
    env = base_env(instance_dir, **settings)
    env.pop("TRUSTED_PROXIES", None)  # the default
    return WebServer(env, tmp_path)


# The gunicorn tests below check what a process takes as the client's address, which the
# database plays no part in: when both backends run, they run once.
process_once = pytest.mark.once(backend="postgres")


@pytest.fixture
def direct(instance_dir, tmp_path):
    server = _direct_server(instance_dir, tmp_path, STREAM_RATE_LIMIT="3 per minute",
                            SUBSCRIBE_LIMIT_PER_IP="3")
    yield server
    server.stop()


def _spoofed(n: int) -> dict:
    return {"X-Forwarded-For": f"203.0.113.{n % 250 + 1}"}


def _login_form(server: WebServer) -> tuple[str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("GET", "/admin/login")
        response = conn.getresponse()
        page = response.read().decode()
        cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    finally:
        conn.close()
    return cookie, re.search(r'name="csrf_token" value="([^"]+)"', page)[1]


@process_once
def test_rotating_forwarded_for_does_not_escape_the_login_limit(direct):
    cookie, csrf = _login_form(direct)
    statuses = []
    for n in range(22):
        body = urlencode({"csrf_token": csrf, "email": f"nobody{n}@example.com",
                          "password": "wrong"}).encode()
        status, _ = direct.request("POST", "/admin/login", body, {
            "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded", **_spoofed(n)})
        statuses.append(status)
    assert statuses[:20] == [401] * 20
    assert statuses[20:] == [429, 429]


@process_once
def test_failed_sign_in_audits_the_peer_address_not_the_forged_one(direct):
    cookie, csrf = _login_form(direct)
    body = urlencode({"csrf_token": csrf, "email": "x@example.com", "password": "no"}).encode()
    status, _ = direct.request("POST", "/admin/login", body, {
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded",
        "X-Forwarded-For": "198.51.100.66"})
    assert status == 401
    db.session.expire_all()
    row = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "auth.login_failed")).one()
    assert row.ip == "127.0.0.1"


@process_once
def test_rotating_forwarded_for_does_not_escape_the_subscribe_limit(direct):
    statuses = [direct.request("POST", "/api/subscribers",
                               json.dumps({"email": f"reader{n}@example.com"}).encode(),
                               {"Content-Type": "application/json", **_spoofed(n)})[0]
                for n in range(5)]
    assert statuses == [202, 202, 202, 429, 429]


@process_once
def test_rotating_forwarded_for_does_not_escape_the_stream_limit(direct):
    statuses = []
    for n in range(5):
        conn = http.client.HTTPConnection("127.0.0.1", direct.port, timeout=30)
        try:
            conn.request("GET", "/api/stream/public", headers=_spoofed(n))
            statuses.append(conn.getresponse().status)  # headers only: the stream stays open
        finally:
            conn.close()
    assert statuses == [200, 200, 200, 429, 429]
