"""ProxyFix with one trusted proxy (Heroku's router): logs and rate limits see the real client."""
from tests.subprocess_app import run_child

ROUTER = {"REMOTE_ADDR": "10.1.2.3"}


def test_logged_ip_is_the_client_behind_one_proxy(anon, json_logs):
    anon.get("/healthz", headers={"X-Forwarded-For": "203.0.113.7"}, environ_base=ROUTER)
    anon.get("/healthz", headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.7"},
             environ_base=ROUTER)
    anon.get("/healthz", environ_base=ROUTER)  # no header: the peer itself
    assert [line["remote_ip"] for line in json_logs()] == ["203.0.113.7", "203.0.113.7",
                                                           "10.1.2.3"]


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
    out = run_child(app, RATE_LIMIT_CHILD, RATELIMIT_APPLICATION="3 per minute")
    first, second, third = out["same_client_spoofing"]
    assert first == [200, "ip:203.0.113.7"]
    assert second == [200, "ip:203.0.113.7"]  # a prepended entry is not trusted
    assert third[0] == 429  # still the same key: the limit holds despite the spoofing
    assert out["other_client"] == [200, "ip:198.51.100.2"]
    # /healthz and /metrics are exempt even from the application-wide limit.
    assert out["healthz"] == [200] * 5
    assert out["metrics"] == [200] * 5
