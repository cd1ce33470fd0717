"""A web process holds the page settings between requests while the public cache
generation stands still; a change moves it in every process, and without Redis (or
after a while) the row is read again."""
from __future__ import annotations

import pytest
from sqlalchemy import event, insert
from sqlalchemy.engine import Engine

from statuspage.extensions import db
from statuspage.models import PageSettings, utcnow
from statuspage.services import settings
from tests.mailsink import free_port


@pytest.fixture
def settings_reads(app):
    """How many times the settings row was read from the database."""
    count = {"reads": 0}

    def seen(conn, cursor, statement, *args):
        if "FROM page_settings" in statement:
            count["reads"] += 1

    event.listen(Engine, "before_cursor_execute", seen)  # every app's engine
    yield count
    event.remove(Engine, "before_cursor_execute", seen)


def test_requests_after_the_first_read_no_settings_row(api, client, settings_reads):
    assert api.patch("/api/settings", json={"page_name": "Globex"}).status_code == 200
    client.get("/api/stream/public?probe=1", headers={"Last-Event-ID": "bad"}).close()
    before = settings_reads["reads"]
    for _ in range(5):
        response = client.get("/api/stream/public", headers={"Last-Event-ID": "bad"})
        response.close()
    assert settings_reads["reads"] == before
    assert "Globex" in client.get("/status?fresh=1").text


def _page_name(app) -> str:
    """The page name as a request of its own sees it (its own session, as in production)."""
    with app.app_context(), app.test_request_context("/status"):
        return settings.current()["page_name"]


def test_a_change_through_one_process_is_seen_by_another_that_held_the_old(api, other_app):
    other = other_app()
    assert _page_name(other) == "Acme Cloud"
    assert api.patch("/api/settings", json={"page_name": "Globex"}).status_code == 200
    assert _page_name(other) == "Globex"


def test_without_redis_the_row_is_read_every_time(other_app, settings_reads):
    down = other_app(RATELIMIT_ENABLED=False, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    for _ in range(3):
        assert _page_name(down) == "Acme Cloud"
    assert settings_reads["reads"] == 3


def test_held_settings_expire_so_a_lost_generation_move_cannot_keep_them(app, monkeypatch):
    assert _page_name(app) == "Acme Cloud"
    with app.app_context(), db.engine.begin() as conn:  # not through the session: no generation move
        conn.execute(insert(PageSettings).values(id=1, footer_links=[], page_name="Initech",
                                                 updated_at=utcnow()))
    assert _page_name(app) == "Acme Cloud"  # held
    start = settings.clock()
    monkeypatch.setattr(settings, "clock", lambda: start + settings.HOLD_SECONDS + 1)
    assert _page_name(app) == "Initech"
