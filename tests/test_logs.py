"""JSON log lines: request and job context, and nothing secret in them."""
import json
import logging

from rq import Queue

from tests.conftest import make_incident
from statuspage.extensions import redis_client
from statuspage.redaction import scrub
from statuspage.worker_shutdown import HerokuSimpleWorker

log = logging.getLogger("tests.logs")


def test_every_line_is_json_with_a_request_id(api, anon, json_logs):
    make_incident(api)
    anon.get("/api/incidents")  # 401
    anon.get("/does-not-exist")  # 404
    api.get("/healthz")
    lines = json_logs()
    assert len(lines) >= 4
    for line in lines:
        assert line["request_id"], line
        assert {"time", "level", "logger", "message"} <= line.keys()


def test_access_line_fields(api, json_logs):
    created = api.post("/api/incidents", json={"title": "Slow", "severity": "SEV3"},
                       headers={"X-Request-ID": "abc-123"})
    assert created.headers["X-Request-ID"] == "abc-123"
    access = [line for line in json_logs() if line["logger"] == "statuspage.access"]
    assert len(access) == 1
    line = access[0]
    assert line["request_id"] == "abc-123"
    assert line["method"] == "POST"
    assert line["path"] == "/api/incidents"
    assert line["route"] == "/api/incidents"
    assert line["status"] == 201
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert isinstance(line["user_id"], int)
    assert line["remote_ip"] == "127.0.0.1"


def test_request_id_generated_when_missing_or_malformed(anon, json_logs):
    response = anon.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    generated = response.headers["X-Request-ID"]
    assert generated != "bad id with spaces" and len(generated) == 32
    assert json_logs()[-1]["request_id"] == generated


def test_anonymous_requests_log_no_user(anon, json_logs):
    anon.get("/healthz")
    assert json_logs()[-1]["user_id"] is None


def test_secrets_never_reach_the_log(client, json_logs):
    raw_token = "sp_" + "S3cretTokenValue" * 3
    client.get("/api/incidents", headers={"Authorization": f"Bearer {raw_token}"})
    client.get("/healthz?token=linksecret123&email=subscriber@example.com")
    log.warning("login for %s with password=%s", "alice@example.com", "hunter2-pass")
    log.info("calling with Authorization: Bearer abc.def.ghi", extra={
        "password": "hunter2-extra", "payload": {"api_key": "k-123456", "to": "bob@example.org",
                                                "nested": ["carol@example.net"]},
        "dsn": "postgresql://app:dbpassword99@db.internal:5432/app",
    })
    try:
        raise RuntimeError("smtp auth failed for mailer@example.com password=smtp-secret")
    except RuntimeError:
        log.exception("send failed")
    signed = "eyJzdWIiOjEyM30.ZtY3Aw.q9Xx0dkJ3v7sFh2pLmN4oQ8r"
    log.info("confirm link /subscriptions/confirm/%s", signed)

    text = "\n".join(json.dumps(line) for line in json_logs())
    for secret in (raw_token, "linksecret123", "subscriber@example.com", "alice@example.com",
                   "hunter2", "k-123456", "bob@example.org", "carol@example.net",
                   "dbpassword99", "smtp-secret", "mailer@example.com", signed, "abc.def.ghi"):
        assert secret not in text, secret
    assert "[redacted]" in text and "[email]" in text


def test_scrub_keeps_ordinary_values():
    assert scrub("GET /api/incidents/42 200") == "GET /api/incidents/42 200"
    assert scrub({"status": 201, "tags": ["db"]}) == {"status": 201, "tags": ["db"]}
    assert scrub({"token_id": 5}) == {"token_id": "[redacted]"}


def job_that_logs(word):
    logging.getLogger("statuspage.jobs.test").info("working on %s", word)
    return word


def test_worker_lines_carry_job_id_and_name(app, json_logs):
    queue = Queue("default", connection=redis_client.client)
    job = queue.enqueue(job_that_logs, "alpha")
    HerokuSimpleWorker([queue], connection=redis_client.client).work(burst=True)
    lines = [line for line in json_logs() if line["message"] == "working on alpha"]
    assert len(lines) == 1
    assert lines[0]["job_id"] == job.id
    assert lines[0]["job_name"].endswith("job_that_logs")
