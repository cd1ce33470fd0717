"""An open admin stream ends within one heartbeat once its credential stops being valid:
token revoked, user deactivated, session logged out or expired; busy streams included."""
from __future__ import annotations

import http.cookiejar
import re
import threading
import time
import urllib.parse
import urllib.request

import pytest

from statuspage.extensions import db
from statuspage.services import users
from statuspage.services.context import SYSTEM
from tests.conftest import make_token, make_user

from .conftest import call, create_incident
from .servers import WebServer, base_env
from .sse_client import Comment, Event, SSEClient

PASSWORD = "correct horse battery"
ENDED = Comment("access revoked")


def _until_end(stream: SSEClient, seconds: float = 20) -> list:
    """Everything the stream sends until it ends; fails if it is still open at the deadline."""
    items, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        item = stream.next_item()
        if item is None:
            return items
        items.append(item)
    pytest.fail(f"the stream was still open after {seconds} s: {items[-5:]}")


def _reader_token():
    """A viewer and one API token of theirs: (user, token row, raw secret)."""
    reader = make_user("viewer")
    token, raw = users.create_token(SYSTEM, reader, "wallboard")
    db.session.commit()
    return reader, token, raw


def _open(web, token: str) -> SSEClient:
    stream = SSEClient(web.port, "/api/stream/admin", {"Authorization": f"Bearer {token}"})
    assert stream.status == 200
    assert stream.next_item() == Comment("stream open")
    return stream


def test_revoked_token_ends_its_stream(web):
    admin = make_token("admin")
    _reader, token, raw = _reader_token()
    with _open(web, raw) as stream:
        created = create_incident(web, admin, title="Before revocation")
        assert stream.next_event().json["incident"]["id"] == created["id"]
        status, _ = call(web, admin, "DELETE", f"/api/tokens/{token.id}")
        assert status == 204
        items = _until_end(stream)
        assert items[-1] == ENDED
        assert not any(isinstance(i, Event) for i in items)


def test_deactivated_user_ends_the_stream_of_their_token(web):
    admin = make_token("admin")
    reader, _token, raw = _reader_token()
    with _open(web, raw) as stream:
        status, body = call(web, admin, "PATCH", f"/api/users/{reader.id}", {"active": False})
        assert status == 200, body
        assert _until_end(stream)[-1] == ENDED


def test_a_stream_revoked_while_events_flow_ends(web):
    """Incidents keep coming while the token is revoked. (That the check never waits for a
    quiet moment is shown deterministically in test_generator; here the timing of a loaded
    machine decides how busy the stream really is.)"""
    admin = make_token("admin")
    _reader, token, raw = _reader_token()
    stop = threading.Event()

    def keep_busy():
        while not stop.is_set():
            create_incident(web, admin, title="Busy")
            time.sleep(0.05)

    writer = threading.Thread(target=keep_busy, daemon=True)
    with _open(web, raw) as stream:
        writer.start()
        try:
            assert stream.next_event().name == "INCIDENT_CREATED"  # events are flowing
            status, _ = call(web, admin, "DELETE", f"/api/tokens/{token.id}")
            assert status == 204
            items = _until_end(stream)
        finally:
            stop.set()
            writer.join(30)
    assert items[-1] == ENDED


class LiveConsole:
    """A browser-like client of the live server: cookies, the sign-in form, CSRF."""

    def __init__(self, web, email: str):
        self.web = web
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        page = self._get("/admin/login")
        self._post("/admin/login", {"email": email, "password": PASSWORD,
                                    "csrf_token": self._csrf(page)})

    def _url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.web.port}{path}"

    def _get(self, path: str) -> str:
        with self.opener.open(self._url(path), timeout=30) as response:
            return response.read().decode()

    def _post(self, path: str, form: dict) -> str:
        data = urllib.parse.urlencode(form).encode()
        with self.opener.open(self._url(path), data=data, timeout=30) as response:
            return response.read().decode()

    @staticmethod
    def _csrf(html: str) -> str:
        match = re.search(r'name="csrf-token" content="([^"]+)"|name="csrf_token" value="([^"]+)"', html)
        assert match, "no CSRF token on the page"
        return match.group(1) or match.group(2)

    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def stream(self) -> SSEClient:
        stream = SSEClient(self.web.port, "/api/stream/admin", {"Cookie": self.cookie()})
        assert stream.status == 200
        assert stream.next_item() == Comment("stream open")
        return stream

    def logout(self) -> None:
        page = self._get("/admin/incidents")
        self._post("/admin/logout", {"csrf_token": self._csrf(page)})


def test_logging_out_ends_the_sessions_stream(web):
    user = make_user("viewer", password=PASSWORD)
    console = LiveConsole(web, user.email)
    with console.stream() as stream:
        console.logout()
        assert _until_end(stream)[-1] == ENDED


def test_an_expired_session_ends_its_stream(instance_dir, tmp_path):
    short = WebServer(base_env(instance_dir, SESSION_IDLE_TIMEOUT=4), tmp_path)
    try:
        user = make_user("viewer", password=PASSWORD)
        console = LiveConsole(short, user.email)
        with console.stream() as stream:
            items = _until_end(stream)
        assert items[-1] == ENDED
        assert any(i == Comment("heartbeat") for i in items)  # it lived until the timeout
    finally:
        short.stop()
