"""Users and tokens through the API (admins only)."""
from __future__ import annotations

import pytest

from tests.helpers import audit_actions, counts


def test_create_list_update_user(api):
    created = api.post("/api/users", json={"email": "Ops@Example.com", "name": "Ops", "role": "responder",
                                           "password": "long-enough"})
    assert created.status_code == 201
    user = created.json
    assert (user["email"], user["role"], user["active"]) == ("ops@example.com", "responder", True)
    assert "password" not in user and "password_hash" not in user
    assert any(u["id"] == user["id"] for u in api.get("/api/users").json["items"])
    assert api.get(f"/api/users/{user['id']}").json["name"] == "Ops"
    patched = api.patch(f"/api/users/{user['id']}", json={"role": "viewer", "active": False})
    assert patched.status_code == 200 and (patched.json["role"], patched.json["active"]) == ("viewer", False)
    assert audit_actions("user") == ["user.created", "user.created", "user.updated"]


@pytest.mark.parametrize("body, field", [
    ({"email": "not-an-email", "name": "x"}, "email"),
    ({"email": "a@example.com"}, "name"),
    ({"email": "a@example.com", "name": "x", "role": "root"}, "role"),
    ({"email": "a@example.com", "name": "x", "password": "short"}, "password"),
    ({"email": "a@example.com", "name": "x", "extra": 1}, "extra"),
])
def test_bad_user_input_is_422_and_changes_nothing(api, body, field):
    before = counts()
    response = api.post("/api/users", json=body)
    assert response.status_code == 422 and field in response.json["errors"]
    assert counts() == before


def test_duplicate_email_is_409(api):
    api.post("/api/users", json={"email": "a@example.com", "name": "A"})
    assert api.post("/api/users", json={"email": "A@example.com", "name": "B"}).status_code == 409


def test_admin_cannot_demote_themselves(api):
    me = next(u for u in api.get("/api/users").json["items"] if u["role"] == "admin")
    assert api.patch(f"/api/users/{me['id']}", json={"role": "viewer"}).status_code == 409
    assert api.patch(f"/api/users/{me['id']}", json={"name": "Renamed"}).status_code == 200


def test_tokens_shown_once_then_revoked(api, client):
    user = api.post("/api/users", json={"email": "bot@example.com", "name": "Bot", "role": "responder"}).json
    created = api.post(f"/api/users/{user['id']}/tokens", json={"name": "ci"})
    assert created.status_code == 201
    raw = created.json["token"]
    assert raw.startswith("sp_") and created.json["prefix"] == raw[:10]
    listed = api.get(f"/api/users/{user['id']}/tokens").json["items"]
    assert [t["name"] for t in listed] == ["ci"] and "token" not in listed[0]
    assert client.get("/api/incidents", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    assert api.delete(f"/api/tokens/{created.json['id']}").status_code == 204
    assert api.delete(f"/api/tokens/{created.json['id']}").status_code == 204  # repeat: no-op
    assert client.get("/api/incidents", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    assert api.delete("/api/tokens/999").status_code == 404
    assert api.post("/api/users/999/tokens", json={"name": "x"}).status_code == 404
    assert audit_actions("api_token")[-2:] == ["token.created", "token.revoked"]


@pytest.mark.parametrize("role", ["viewer", "responder"])
def test_only_admins_manage_users(api_as, role):
    other = api_as(role)
    assert other.get("/api/users").status_code == 403
    assert other.post("/api/users", json={"email": "a@example.com", "name": "A"}).status_code == 403
    assert other.patch("/api/users/1", json={"role": "admin"}).status_code == 403
    assert other.post("/api/users/1/tokens", json={"name": "x"}).status_code == 403
    assert other.delete("/api/tokens/1").status_code == 403


def test_users_are_in_the_openapi_document(anon):
    paths = anon.get("/api/openapi.json").json["paths"]
    for path in ("/api/users", "/api/users/{user_id}", "/api/users/{user_id}/tokens", "/api/tokens/{token_id}"):
        assert path in paths, path
