"""Console test helpers: sign in through the real form, post forms with the CSRF token."""
from __future__ import annotations

import re

import pytest

from tests.conftest import make_user

PASSWORD = "correct horse battery"
_TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = _TOKEN.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


class Console:
    """A test client signed in as one user; ``post`` adds the session's CSRF token."""

    def __init__(self, client, user):
        self.client = client
        self.user = user
        self.token = None

    def sign_in(self, password: str = PASSWORD, next_path: str | None = None):
        page = self.client.get("/admin/login")
        data = {"email": self.user.email, "password": password, "csrf_token": csrf_from(page.text)}
        if next_path is not None:
            data["next"] = next_path
        response = self.client.post("/admin/login", data=data)
        self.token = None
        return response

    def csrf(self) -> str:
        if self.token is None:
            self.token = csrf_from(self.client.get("/admin/account/password").text)
        return self.token

    def get(self, path, **kw):
        return self.client.get(path, **kw)

    def post(self, path, data=None, csrf=True, **kw):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.csrf())
        return self.client.post(path, data=data, **kw)


@pytest.fixture
def console_as(app):
    """``console_as("viewer")``: a fresh client signed in as a new user of that role."""
    def build(role: str = "responder") -> Console:
        user = make_user(role, password=PASSWORD)
        console = Console(app.test_client(), user)
        response = console.sign_in()
        assert response.status_code == 303, response.text
        return console
    return build


@pytest.fixture
def console(console_as):
    return console_as("admin")
