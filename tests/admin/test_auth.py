"""Sign-in: sessions, CSRF, rate limits, no enumeration, safe next, logout, password change."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from statuspage.extensions import db
from statuspage.models import AuditEvent
from tests.admin.conftest import PASSWORD, Console, csrf_from
from tests.conftest import make_user


def _failed_events():
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.login_failed")))


def _strip_token(html: str) -> str:
    return re.sub(r'(csrf[-_]token"? (?:content|value)=")[^"]+', r"\1", html)


def test_pages_need_a_session_and_redirect_to_login_with_next(client):
    response = client.get("/admin/incidents?status=active")
    assert response.status_code == 302
    assert response.location == "/admin/login?next=/admin/incidents?status%3Dactive"
    assert client.get("/admin/login").status_code == 200


def test_sign_in_sets_a_hardened_cookie_and_lands_on_incidents(app):
    user = make_user("responder", password=PASSWORD)
    console = Console(app.test_client(), user)
    response = console.sign_in()
    assert response.status_code == 303 and response.location == "/admin/incidents"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert console.get("/admin/incidents").status_code == 200
    db.session.expire_all()
    assert db.session.get(type(user), user.id).last_login_at is not None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.login")).one()
    assert (event.actor_type, event.actor_id, event.target_id) == ("user", user.id, str(user.id))


def test_cookie_is_secure_under_https(app):
    user = make_user("viewer", password=PASSWORD)
    client = app.test_client()
    page = client.get("/admin/login", base_url="https://status.test")
    response = client.post("/admin/login", base_url="https://status.test",
                           headers={"Referer": "https://status.test/admin/login"},
                           data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_from(page.text)})
    assert response.status_code == 303
    assert "Secure" in response.headers["Set-Cookie"]


def test_session_is_rotated_at_sign_in(app):
    user = make_user("viewer", password=PASSWORD)
    client = app.test_client()
    before_token = csrf_from(client.get("/admin/login").text)
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        before = dict(session)
    client.post("/admin/login", data={"email": user.email, "password": PASSWORD, "csrf_token": before_token})
    with client.session_transaction() as session:
        after = dict(session)
    assert "planted" not in after
    assert after.get("csrf_token") != before.get("csrf_token")
    # The cookie names a server-side session by a random key, not the user.
    assert len(after["_user_id"]) >= 43 and str(user.id) != after["_user_id"]
    # The pre-login token no longer authorises a write.
    response = client.post("/admin/logout", data={"csrf_token": before_token})
    assert response.status_code == 400


def test_unknown_user_and_wrong_password_get_the_same_answer(app):
    user = make_user("viewer", password=PASSWORD)
    client = app.test_client()
    token = csrf_from(client.get("/admin/login").text)
    wrong = client.post("/admin/login", data={"email": user.email, "password": "nope-nope", "csrf_token": token})
    unknown = client.post("/admin/login", data={"email": "ghost" + user.email, "password": "nope-nope",
                                                 "csrf_token": token})
    assert wrong.status_code == unknown.status_code == 401
    normalise = lambda r, e: _strip_token(r.text).replace(e, "EMAIL")  # noqa: E731
    assert normalise(wrong, user.email) == normalise(unknown, "ghost" + user.email)
    assert "The email address or password is not correct." in wrong.text
    events = _failed_events()
    assert [(e.actor_type, e.target_type, e.target_id, sorted(e.after)) for e in events] == [
        ("anonymous", "session", None, ["email", "reason"])] * 2
    assert {e.after["reason"] for e in events} == {"invalid_credentials"}


def test_inactive_user_cannot_sign_in(app):
    user = make_user("viewer", password=PASSWORD)
    user.active = False
    db.session.commit()
    assert Console(app.test_client(), user).sign_in().status_code == 401


def test_login_attempts_are_limited_per_account(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", True)
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", (3, 300))
    user = make_user("viewer", password=PASSWORD)
    console = Console(app.test_client(), user)
    statuses = [console.sign_in("wrong-password").status_code for _ in range(3)]
    assert statuses == [401, 401, 401]
    limited = console.sign_in()  # even the right password waits now
    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 300
    assert "Too many failed sign-in attempts for this account" in limited.text
    assert len(_failed_events()) == 3  # the refused attempt wrote no audit row
    # Another account from the same address is not locked by this one.
    other = make_user("viewer", password=PASSWORD)
    assert Console(app.test_client(), other).sign_in().status_code == 303


def test_login_attempts_are_limited_per_address(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", True)
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_IP", (2, 300))
    people = [make_user("viewer", password=PASSWORD) for _ in range(3)]
    client = app.test_client()
    answers = [Console(client, person).sign_in("wrong-password").status_code for person in people]
    assert answers == [401, 401, 429]


def test_a_successful_sign_in_clears_the_account_count(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", True)
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", (2, 300))
    user = make_user("viewer", password=PASSWORD)
    console = Console(app.test_client(), user)
    assert console.sign_in("wrong-password").status_code == 401
    assert console.sign_in().status_code == 303
    other_client = Console(app.test_client(), user)
    assert other_client.sign_in("wrong-password").status_code == 401
    assert other_client.sign_in().status_code == 303


@pytest.mark.parametrize("target, expected", [
    ("/admin/components", "/admin/components"),
    ("/admin/incidents?status=active", "/admin/incidents?status=active"),
    ("https://evil.example/", "/admin/incidents"),
    ("//evil.example/", "/admin/incidents"),
    ("/\\evil.example", "/admin/incidents"),
    ("javascript:alert(1)", "/admin/incidents"),
    ("admin/components", "/admin/incidents"),
    ("/admin\r\nSet-Cookie: x=1", "/admin/incidents"),
    ("", "/admin/incidents"),
])
def test_next_is_only_a_same_site_path(app, target, expected):
    user = make_user("viewer", password=PASSWORD)
    response = Console(app.test_client(), user).sign_in(next_path=target)
    assert response.status_code == 303
    assert response.location == expected


def test_login_page_keeps_only_a_safe_next(client):
    assert 'name="next" value="/admin/audit"' in client.get("/admin/login?next=/admin/audit").text
    assert 'name="next"' not in client.get("/admin/login?next=//evil.example").text


def test_signed_in_user_visiting_login_goes_on(console):
    assert console.get("/admin/login?next=/admin/templates").location == "/admin/templates"


def test_logout_needs_post_and_csrf_and_is_audited(console):
    assert console.get("/admin/logout").status_code == 405
    assert console.post("/admin/logout", csrf=False).status_code == 400
    response = console.post("/admin/logout")
    assert response.status_code == 303 and response.location == "/admin/login"
    assert console.get("/admin/incidents").status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "auth.logout")).all()


def test_change_password(console_as, app):
    console = console_as("responder")
    elsewhere = Console(app.test_client(), console.user)
    assert elsewhere.sign_in().status_code == 303
    wrong = console.post("/admin/account/password", {"current_password": "nope", "new_password": "brand-new-pass",
                                                      "confirm_password": "brand-new-pass"})
    assert wrong.status_code == 422 and "The current password is not correct." in wrong.text
    mismatch = console.post("/admin/account/password", {"current_password": PASSWORD,
                                                         "new_password": "brand-new-pass", "confirm_password": "x"})
    assert mismatch.status_code == 422 and "differ" in mismatch.text
    short = console.post("/admin/account/password", {"current_password": PASSWORD, "new_password": "short",
                                                      "confirm_password": "short"})
    assert short.status_code == 422 and "at least 8" in short.text
    done = console.post("/admin/account/password", {"current_password": PASSWORD,
                                                     "new_password": "brand-new-pass",
                                                     "confirm_password": "brand-new-pass"})
    assert done.status_code == 303
    assert "Your password was changed" in console.get(done.location).text  # this session lives on
    assert elsewhere.get("/admin/incidents").status_code == 302  # the other one is signed out
    assert Console(app.test_client(), console.user).sign_in("brand-new-pass").status_code == 303
    db.session.expire_all()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.password_changed")).one()
    assert event.target_id == str(console.user.id) and event.after is None


def test_api_tokens_keep_working_next_to_sessions(api, console):
    assert api.get("/api/incidents").status_code == 200
    assert console.get("/api/incidents").status_code == 200  # the session reads the API too
    # A cookie alone never writes through the API: the CSRF header is required.
    assert console.client.post("/api/incidents", json={"title": "x", "severity": "SEV1"}).status_code == 400
    ok = console.client.post("/api/incidents", json={"title": "x", "severity": "SEV1"},
                             headers={"X-CSRFToken": console.csrf()})
    assert ok.status_code == 201
