"""Sign-in under attack: refused (429) attempts write nothing, failures are aggregated,
a locked account's owner is told how long to wait, and none of it tells who has an account."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from statuspage.extensions import db
from statuspage.models import AuditEvent, clock_at
from tests.admin.conftest import PASSWORD, Console, csrf_from
from tests.conftest import make_user

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def _failed_events():
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.login_failed")
                                   .order_by(AuditEvent.id)))


def _attempt(client, email: str, password: str = "wrong-password"):
    token = csrf_from(client.get("/admin/login").text)
    return client.post("/admin/login", data={"email": email, "password": password, "csrf_token": token})


def test_rate_limited_attempts_write_no_audit_rows(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", True)
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", (2, 300))
    user = make_user("viewer", password=PASSWORD)
    client = app.test_client()
    assert [_attempt(client, user.email).status_code for _ in range(2)] == [401, 401]
    assert len(_failed_events()) == 2
    before = _all_rows()
    refused = [_attempt(client, user.email).status_code for _ in range(25)]
    assert refused == [429] * 25
    assert _all_rows() == before  # a flood of refused attempts leaves the trail as it was


def _all_rows() -> int:
    db.session.expire_all()
    return db.session.scalar(select(db.func.count()).select_from(AuditEvent))


def test_failures_beyond_the_first_few_are_one_row_with_a_count(app):
    user = make_user("viewer", password=PASSWORD)
    client = app.test_client()
    with clock_at(T0):
        for _ in range(10):
            assert _attempt(client, user.email).status_code == 401
    events = _failed_events()
    assert [e.after["reason"] for e in events] == ["invalid_credentials"] * 3 + ["repeated_failures"]
    aggregate = events[-1]
    assert aggregate.after == {"email": user.email, "reason": "repeated_failures", "count": 7,
                               "window_seconds": 3600}
    assert aggregate.ip == "127.0.0.1" and aggregate.actor_type == "anonymous"
    # Another account from the same address has its own count.
    assert _attempt(client, "someone-else@example.com").status_code == 401
    assert len(_failed_events()) == 5
    # The next window starts over: its first failures are recorded one by one again.
    with clock_at(T0 + timedelta(hours=1)):
        assert _attempt(client, user.email).status_code == 401
    assert _failed_events()[-1].after["reason"] == "invalid_credentials"


def test_aggregation_follows_the_configured_numbers(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_FAILURE_AUDIT", (1, 600))
    client = app.test_client()
    for _ in range(4):
        _attempt(client, "ghost@example.com")
    assert [(e.after["reason"], e.after.get("count")) for e in _failed_events()] == [
        ("invalid_credentials", None), ("repeated_failures", 3)]


def _normalise(html: str, email: str) -> str:
    html = re.sub(r'(csrf[-_]token"? (?:content|value)=")[^"]+', r"\1", html)
    return html.replace(email, "EMAIL")


def test_a_locked_account_gets_a_clear_wait_the_same_whether_or_not_it_exists(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", True)
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", (3, 300))
    user = make_user("viewer", password=PASSWORD)
    ghost = "nobody-" + user.email
    answers = {}
    for email in (user.email, ghost):
        client = app.test_client()
        for _ in range(3):
            assert _attempt(client, email).status_code == 401
        answers[email] = _attempt(client, email, PASSWORD)  # even the right password waits
    owner, stranger = answers[user.email], answers[ghost]
    assert owner.status_code == stranger.status_code == 429
    waits = [int(r.headers["Retry-After"]) for r in (owner, stranger)]
    # The same window for both; only the seconds the second lockout took to reach apart.
    assert all(0 < wait <= 300 for wait in waits) and abs(waits[0] - waits[1]) <= 5
    message = ("Too many failed sign-in attempts for this account. "
               "For its safety, sign-in is paused: try again in 5 minutes.")
    assert message in owner.text
    assert _normalise(owner.text, user.email) == _normalise(stranger.text, ghost)


def test_a_limited_address_is_told_so_and_how_long(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", True)
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_IP", (2, 90))
    client = app.test_client()
    for n in range(2):
        assert _attempt(client, f"person{n}@example.com").status_code == 401
    limited = _attempt(client, "person9@example.com")
    assert limited.status_code == 429
    assert "Too many sign-in attempts from your network. Try again in 2 minutes." in limited.text


def test_signing_in_still_works_for_the_owner_once_failures_were_aggregated(app):
    user = make_user("viewer", password=PASSWORD)
    console = Console(app.test_client(), user)
    for _ in range(6):
        assert console.sign_in("wrong-password").status_code == 401
    assert console.sign_in().status_code == 303


def test_without_redis_every_failure_gets_its_own_row(app, monkeypatch):
    from statuspage.extensions import connect_redis
    from tests.mailsink import free_port

    monkeypatch.setitem(app.extensions, "redis", connect_redis(f"redis://127.0.0.1:{free_port()}/0", 0.2))
    client = app.test_client()
    for _ in range(5):
        assert _attempt(client, "ghost@example.com").status_code == 401
    assert [e.after["reason"] for e in _failed_events()] == ["invalid_credentials"] * 5
