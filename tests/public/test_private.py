"""Private page mode: every reader surface needs a sign-in, an API token or a live share link."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from statuspage.extensions import db
from statuspage.models import ShareLink, clock_at
from tests.admin.conftest import PASSWORD, Console
from tests.conftest import make_component, make_incident, make_token, make_user
from tests.helpers import assert_problem

HTML_PATHS = ["/", "/status", "/status/incidents/{incident}", "/status/history", "/status/embed",
              "/subscriptions/"]
FILE_PATHS = ["/history.atom", "/history.rss", "/status/maintenance.ics", "/status/badge.svg",
              "/status/components/{component}/badge.svg", "/api/public/status",
              "/api/public/incidents/{incident}", "/api/v2/summary.json", "/api/v2/status.json",
              "/api/v2/components.json", "/api/v2/incidents.json", "/api/v2/incidents/unresolved.json",
              "/api/v2/scheduled-maintenances.json", "/api/v2/scheduled-maintenances/upcoming.json",
              "/api/v2/scheduled-maintenances/active.json", "/api/stream/public"]


@pytest.fixture
def private(app, api, monkeypatch):
    """A private page with one component and one incident; yields the path arguments."""
    component = make_component(api, "API")
    incident = make_incident(api, title="Checkout errors")
    monkeypatch.setitem(app.config, "VISIBILITY", "private")
    return {"component": component["id"], "incident": incident["id"]}


def _paths(ids, paths):
    return [p.format(**ids) for p in paths]


def _readable(response) -> bool:
    ok = response.status_code == 200
    response.close()  # the event stream never ends by itself
    return ok


def test_anonymous_readers_get_the_sign_in_page_or_a_401(app, private):
    anonymous = app.test_client()
    for path in _paths(private, HTML_PATHS):
        response = anonymous.get(path, headers={"Accept-Language": "de"})
        if path == "/":
            continue  # a redirect to /status, which is refused in turn
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/admin/login?next="), path
    for path in _paths(private, FILE_PATHS):
        body = assert_problem(anonymous.get(path), 401)
        assert "private" in body["detail"]
    # Subscribing through the JSON API is refused too (the form is above).
    assert_problem(anonymous.post("/api/subscribers", json={"email": "a@example.com"}), 401)


def test_signed_in_users_of_any_role_read_everything_privately(app, private):
    user = make_user("viewer", password=PASSWORD)
    console = Console(app.test_client(), user)
    assert console.sign_in().status_code == 303
    for path in _paths(private, HTML_PATHS[1:] + FILE_PATHS):
        response = console.get(path)
        assert response.headers.get("Cache-Control", "").startswith("private"), path
        assert _readable(response), path
    # Signing in from the private page brings the reader back to it.
    fresh = Console(app.test_client(), user)
    assert fresh.sign_in(next_path="/status/history").headers["Location"].endswith("/status/history")


def test_signed_in_users_can_still_subscribe(app, private):
    user = make_user("viewer", password=PASSWORD)
    console = Console(app.test_client(), user)
    console.sign_in()
    page = console.get("/subscriptions/")
    assert page.status_code == 200
    response = console.post("/subscriptions/", data={"email": "reader@example.com", "scope": "all"})
    assert response.status_code == 200 and b"Check your inbox" in response.data


def test_api_tokens_read_every_surface(app, private):
    reader = app.test_client()
    headers = {"Authorization": f"Bearer {make_token('viewer')}"}
    for path in _paths(private, HTML_PATHS[1:] + FILE_PATHS):
        response = reader.get(path, headers=headers)
        assert response.headers["Cache-Control"].startswith("private"), path
        assert _readable(response), path
    assert_problem(reader.get("/api/v2/summary.json", headers={"Authorization": "Bearer nope"}), 401)


def _share_link(api, days: float = 7) -> dict:
    expires = (datetime.now(timezone.utc) + timedelta(days=days)).isoformat()
    response = api.post("/api/share-links", json={"label": "Board", "expires_at": expires})
    assert response.status_code == 201, response.json
    return response.json


def test_share_links_open_the_page_until_revoked(app, api, private):
    link = _share_link(api)
    raw = link["url"].split("share=", 1)[1]
    reader = app.test_client()
    for path in _paths(private, HTML_PATHS[1:] + FILE_PATHS):
        separator = "&" if "?" in path else "?"
        response = reader.get(f"{path}{separator}share={raw}")
        assert response.headers["Cache-Control"].startswith("private"), path
        assert _readable(response), path
    # The browser remembers the link: the next page needs no parameter.
    assert reader.get("/status/history").status_code == 200
    # Revoked: the remembered link and the parameter stop working at once.
    assert api.post(f"/api/share-links/{link['id']}/revoke").json["revoked_at"]
    assert reader.get("/status/history").status_code == 302
    assert_problem(reader.get(f"/api/v2/summary.json?share={raw}"), 401)


def test_expired_share_links_stop_working(app, api, private):
    link = _share_link(api, days=1)
    raw = link["url"].split("share=", 1)[1]
    reader = app.test_client()
    assert reader.get(f"/status?share={raw}").status_code == 200
    with clock_at(datetime.now(timezone.utc) + timedelta(days=1, minutes=1)):
        assert reader.get("/status").status_code == 302
        assert_problem(reader.get(f"/history.atom?share={raw}"), 401)


def test_share_links_are_admin_only_hashed_and_listed(app, api, api_as, private):
    link = _share_link(api)
    raw = link["url"].split("share=", 1)[1]
    stored = db.session.scalars(select(ShareLink)).one()
    assert stored.token_hash != raw and raw not in stored.token_hash and len(raw) > 40
    listed = api.get("/api/share-links").json["items"]
    assert [item["id"] for item in listed] == [link["id"]] and "url" not in listed[0]
    assert_problem(api_as("responder").post("/api/share-links", json={
        "label": "x", "expires_at": "2099-01-01T00:00:00Z"}), 403)
    assert_problem(api_as("viewer").get("/api/share-links"), 403)
    assert_problem(api.post("/api/share-links", json={"label": "x", "expires_at": "2000-01-01T00:00:00Z"}), 422)
    assert_problem(api.post("/api/share-links/999/revoke"), 404)
    assert_problem(app.test_client().get("/api/v2/status.json?share=spl_forged"), 401)


def test_public_mode_is_unchanged_for_anonymous_readers(app, api):
    make_component(api, "API")
    response = app.test_client().get("/status")
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("public")


def test_visibility_and_default_language_are_page_settings(app, api, monkeypatch):
    make_component(api, "API")
    reader = app.test_client()
    assert reader.get("/api/v2/summary.json").status_code == 200  # cached publicly first
    changed = api.patch("/api/settings", json={"visibility": "private", "default_locale": "de"})
    assert changed.status_code == 200, changed.json
    assert changed.json["visibility"] == "private" and changed.json["default_locale"] == "de"
    assert_problem(reader.get("/api/v2/summary.json"), 401)  # the cached copy is not served
    token = {"Authorization": f"Bearer {make_token('viewer')}"}
    assert 'lang="de"' in reader.get("/status", headers=token).text
    assert 'lang="en"' in reader.get("/status", headers={**token, "Accept-Language": "en"}).text
    assert_problem(api.patch("/api/settings", json={"visibility": "secret"}), 422)
    api.patch("/api/settings", json={"visibility": None, "default_locale": None})
    assert reader.get("/api/v2/summary.json").status_code == 200
    assert 'lang="en"' in reader.get("/status").text
