"""Console sessions that end: logout revokes server-side, idle timeout, absolute lifetime."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from statuspage.extensions import db
from statuspage.models import UserSession, clock_at
from tests.admin.conftest import PASSWORD, Console
from tests.conftest import make_user

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def _signed_in(app, role: str = "viewer") -> Console:
    console = Console(app.test_client(), make_user(role, password=PASSWORD))
    assert console.sign_in().status_code == 303
    return console


def _replay(app, console: Console):
    """A different client presenting the captured session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", console.client.get_cookie("session").value)
    return thief


def _allowed(console_or_client) -> bool:
    response = console_or_client.get("/admin/incidents")
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def test_logout_revokes_the_session_so_a_captured_cookie_is_refused(app):
    console = _signed_in(app)
    thief = _replay(app, console)
    assert _allowed(thief)  # the stolen cookie works while the session lives
    assert console.post("/admin/logout").status_code == 303
    assert not _allowed(thief)
    assert thief.get("/api/incidents").status_code == 401  # the API refuses it too
    db.session.expire_all()
    assert db.session.scalars(select(UserSession)).all() == []


def test_idle_timeout_ends_a_session_nobody_uses(app):
    with clock_at(T0):
        console = _signed_in(app)
    with clock_at(T0 + timedelta(hours=11)):
        assert _allowed(console)  # activity moves the idle deadline
    with clock_at(T0 + timedelta(hours=22, minutes=59)):
        assert _allowed(console)
    with clock_at(T0 + timedelta(hours=35)):
        assert not _allowed(console)
    with clock_at(T0 + timedelta(hours=35, minutes=1)):
        assert not _allowed(console)  # and it stays ended


def test_absolute_lifetime_ends_even_a_busy_session(app):
    with clock_at(T0):
        console = _signed_in(app)
    moment = T0
    while moment < T0 + timedelta(days=7) - timedelta(hours=6):
        moment += timedelta(hours=6)
        with clock_at(moment):
            assert _allowed(console), moment
    with clock_at(T0 + timedelta(days=7, minutes=1)):
        assert not _allowed(console)


def test_lifetimes_are_configurable(app, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_TIMEOUT", 600)
    monkeypatch.setitem(app.config, "SESSION_MAX_AGE", 3600)
    with clock_at(T0):
        console = _signed_in(app)
    with clock_at(T0 + timedelta(minutes=9)):
        assert _allowed(console)
    with clock_at(T0 + timedelta(minutes=20)):
        assert not _allowed(console)
    with clock_at(T0):
        busy = _signed_in(app)
    for minutes in range(5, 60, 5):
        with clock_at(T0 + timedelta(minutes=minutes)):
            assert _allowed(busy)
    with clock_at(T0 + timedelta(minutes=61)):
        assert not _allowed(busy)


def test_last_seen_is_written_at_most_once_a_minute(app):
    with clock_at(T0):
        console = _signed_in(app)

    def last_seen():
        db.session.expire_all()
        return db.session.scalars(select(UserSession.last_seen_at)).one()

    for seconds in (5, 30, 59):
        with clock_at(T0 + timedelta(seconds=seconds)):
            assert _allowed(console)
        assert last_seen() == T0
    with clock_at(T0 + timedelta(seconds=61)):
        assert _allowed(console)
    assert last_seen() == T0 + timedelta(seconds=61)


def test_each_sign_in_is_its_own_session(app):
    user = make_user("viewer", password=PASSWORD)
    laptop, phone = Console(app.test_client(), user), Console(app.test_client(), user)
    assert laptop.sign_in().status_code == phone.sign_in().status_code == 303
    assert laptop.post("/admin/logout").status_code == 303
    assert not _allowed(laptop)
    assert _allowed(phone)  # signing out one device leaves the other


def test_deactivation_ends_sessions_and_reactivation_does_not_revive_them(app, console_as):
    admin = console_as("admin")
    victim = _signed_in(app)
    stolen = _replay(app, victim)
    url = f"/admin/users/{victim.user.id}"
    assert admin.post(url, {"role": "viewer", "name": "Viewer", "active": "false"}).status_code == 303
    assert not _allowed(victim) and not _allowed(stolen)
    assert admin.post(url, {"role": "viewer", "name": "Viewer", "active": "true"}).status_code == 303
    assert not _allowed(victim) and not _allowed(stolen)
    assert victim.sign_in().status_code == 303 and _allowed(victim)


def test_password_change_keeps_this_session_and_ends_the_others(app):
    console = _signed_in(app)
    stolen = _replay(app, console)
    elsewhere = Console(app.test_client(), console.user)
    assert elsewhere.sign_in().status_code == 303
    done = console.post("/admin/account/password", {"current_password": PASSWORD,
                                                     "new_password": "brand-new-pass",
                                                     "confirm_password": "brand-new-pass"})
    assert done.status_code == 303
    assert _allowed(console)
    assert not _allowed(elsewhere)
    # The old cookie of this very session was rotated away: a copy taken before is dead.
    assert not _allowed(stolen)


def test_sessions_do_not_depend_on_redis(app, monkeypatch):
    from statuspage.extensions import connect_redis
    from tests.mailsink import free_port

    console = _signed_in(app)
    stolen = _replay(app, console)
    monkeypatch.setitem(app.extensions, "redis", connect_redis(f"redis://127.0.0.1:{free_port()}/0", 0.2))
    assert _allowed(console)  # an outage signs nobody out
    assert console.post("/admin/logout").status_code == 303
    assert not _allowed(stolen)  # and a revoked session stays revoked
