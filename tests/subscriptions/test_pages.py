"""The subscription pages: form, confirm, manage, unsubscribe (CSRF, GET changes nothing)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from statuspage.extensions import db
from statuspage.models import Subscriber
from tests.conftest import make_component, make_incident
from tests.helpers_subs import csrf_from, deliveries, make_subscriber, subscriber
from statuspage.services import tokens


def _csrf(client, path="/subscriptions/"):
    return csrf_from(client.get(path).get_data(as_text=True))


def test_form_subscribes_with_csrf(client, api):
    web = make_component(api, name="Web")
    page = client.get("/subscriptions/")
    assert page.status_code == 200 and b"Web" in page.data
    response = client.post("/subscriptions/", data={
        "csrf_token": _csrf(client), "email": "form@example.com", "scope": "components",
        "component_ids": [str(web["id"])]})
    assert response.status_code == 200 and b"Check your inbox" in response.data
    sub = subscriber("form@example.com")
    assert sub.scope == "components" and [c.component_id for c in sub.components] == [web["id"]]
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_form_without_csrf_is_refused(client):
    response = client.post("/subscriptions/", data={"email": "x@example.com"})
    assert response.status_code == 400
    assert deliveries() == []


@pytest.mark.parametrize("data,status", [
    ({"email": "bad"}, 422),
    ({"email": "ok@example.com", "scope": "components"}, 422),
])
def test_form_errors_re_render(client, data, status):
    response = client.post("/subscriptions/", data={"csrf_token": _csrf(client), **data})
    assert response.status_code == status
    assert b'role="alert"' in response.data or b"aria-invalid" in response.data


def test_form_rate_limit_answers_429(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", True)
    monkeypatch.setitem(app.config, "SUBSCRIBE_LIMIT_PER_IP", (1, 3600))
    csrf = _csrf(client)
    client.post("/subscriptions/", data={"csrf_token": csrf, "email": "a@example.com"})
    response = client.post("/subscriptions/", data={"csrf_token": csrf, "email": "b@example.com"})
    assert response.status_code == 429 and "Retry-After" in response.headers


def test_incident_form(client, api):
    incident = make_incident(api, title="Login broken")
    page = client.get(f"/subscriptions/?incident={incident['id']}")
    assert b"Login broken" in page.data
    client.post("/subscriptions/", data={"csrf_token": _csrf(client), "email": "f@example.com",
                                         "incident_id": str(incident["id"])})
    assert subscriber("f@example.com").incident_id == incident["id"]


def test_confirm_get_changes_nothing_and_post_needs_csrf(client):
    sub = make_subscriber("c@example.com", confirmed=False)
    path = f"/subscriptions/confirm/{tokens.make('confirm', sub.id, sub.email)}"
    page = client.get(path)
    assert page.status_code == 200 and b"Confirm" in page.data
    assert client.post(path).status_code == 400  # no CSRF token
    assert subscriber("c@example.com").confirmed_at is None
    done = client.post(path, data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert done.status_code == 200 and b"You are subscribed" in done.data
    assert subscriber("c@example.com").confirmed_at is not None
    again = client.post(path, data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert again.status_code == 200


def _tampered(token: str) -> str:
    """``token`` with one signature character changed. Not the last ones: the final
    base64 character carries only a few bits of the signature, so swapping the tail
    for fixed text left the signature valid for about one token in 1,300."""
    i = len(token) - 5
    return token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:]


@pytest.mark.parametrize("purpose", ["confirm", "manage", "unsubscribe"])
def test_tampered_wrong_purpose_and_expired_links_change_nothing(app, client, monkeypatch, purpose):
    sub = make_subscriber("t@example.com")
    good = tokens.make(purpose, sub.id, sub.email)
    other = {"confirm": "manage", "manage": "unsubscribe", "unsubscribe": "confirm"}[purpose]
    for bad in (_tampered(good), tokens.make(other, sub.id, sub.email), "x" * 600):
        response = client.get(f"/subscriptions/{purpose}/{bad}")
        assert response.status_code == 400 and b"not valid" in response.data
    monkeypatch.setitem(app.config, "TOKEN_MAX_AGE_CONFIRM", -1)
    monkeypatch.setitem(app.config, "TOKEN_MAX_AGE_LINKS", -1)
    expired = client.get(f"/subscriptions/{purpose}/{good}")
    assert expired.status_code == 400 and b"expired" in expired.data
    if purpose == "unsubscribe":
        posted = client.post(f"/subscriptions/{purpose}/{good}", data="List-Unsubscribe=One-Click",
                             content_type="application/x-www-form-urlencoded")
        assert posted.status_code == 400
    assert subscriber("t@example.com").unsubscribed_at is None


def test_token_of_a_deleted_row_does_not_act_on_another_address(client):
    sub = make_subscriber("first@example.com")
    token = tokens.make("unsubscribe", sub.id, "someone-else@example.com")
    response = client.post(f"/subscriptions/unsubscribe/{token}", data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert subscriber("first@example.com").unsubscribed_at is None


def test_manage_changes_scope_and_leaves(client, api):
    web = make_component(api, name="Web")
    sub = make_subscriber("m@example.com")
    path = f"/subscriptions/manage/{tokens.make('manage', sub.id, sub.email)}"
    page = client.get(path)
    assert page.status_code == 200 and b"m@example.com" in page.data
    csrf = csrf_from(page.get_data(as_text=True))
    empty = client.post(path, data={"csrf_token": csrf, "scope": "components"})
    assert empty.status_code == 422
    saved = client.post(path, data={"csrf_token": csrf, "scope": "components",
                                    "component_ids": [str(web["id"])]})
    assert saved.status_code == 200 and b"saved" in saved.data
    assert subscriber("m@example.com").scope == "components"
    client.post(path, data={"csrf_token": csrf, "scope": "all"})
    assert subscriber("m@example.com").scope == "all"
    left = client.post(path, data={"csrf_token": csrf, "action": "unsubscribe"})
    assert b"unsubscribed" in left.data
    assert subscriber("m@example.com").unsubscribed_at is not None


def test_unsubscribe_page_get_shows_a_button_and_post_needs_the_one_click_body(app, client):
    sub = make_subscriber("u@example.com")
    path = f"/subscriptions/unsubscribe/{tokens.make('unsubscribe', sub.id, sub.email)}"
    page = client.get(path)
    assert page.status_code == 200 and b'name="List-Unsubscribe" value="One-Click"' in page.data
    assert subscriber("u@example.com").unsubscribed_at is None
    assert client.post(path, data={}).status_code == 400
    assert subscriber("u@example.com").unsubscribed_at is None
    # The page's own button posts the same body (no CSRF needed, RFC 8058).
    response = app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and subscriber("u@example.com").unsubscribed_at is not None


def test_manage_link_of_an_incident_follow_changes_the_mailbox_page_subscription(client, api):
    web = make_component(api, name="Web")
    incident = make_incident(api)
    page_row = make_subscriber("Both@example.com", "components", components=[web["id"]])
    follow = make_subscriber("both@example.com", "incident", incident_id=incident["id"])
    path = f"/subscriptions/manage/{tokens.make('manage', follow.id, follow.email)}"
    csrf = csrf_from(client.get(path).get_data(as_text=True))
    saved = client.post(path, data={"csrf_token": csrf, "scope": "all"})
    assert saved.status_code == 200 and b"saved" in saved.data
    rows = db.session.scalars(select(Subscriber).order_by(Subscriber.id)).all()
    assert [(r.id, r.scope) for r in rows] == [(page_row.id, "all"), (follow.id, "incident")]
