"""Bearer tokens, roles and the 401/403 contract."""
import pytest

from statuspage.extensions import db
from statuspage.models import ApiToken, AuditEvent, Incident
from statuspage.services import users
from statuspage.services.context import SYSTEM

from ..conftest import ApiClient, make_component, make_incident, make_token, make_user
from ..helpers import session_key_for


def test_missing_and_malformed_credentials_are_401_with_challenge(anon, client):
    response = anon.get("/api/incidents")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.headers["Content-Type"] == "application/problem+json"
    for header in ("Basic abc", "Bearer", "Bearer sp_nope", "Bearer " + "x" * 500):
        assert client.get("/api/incidents", headers={"Authorization": header}).status_code == 401


def test_revoked_token_and_deactivated_user_stop_working(client):
    raw = make_token("admin")
    api = ApiClient(client, raw)
    assert api.get("/api/incidents").status_code == 200
    token = db.session.query(ApiToken).one()
    users.revoke_token(SYSTEM, token.id)
    db.session.commit()
    assert api.get("/api/incidents").status_code == 401

    raw2 = make_token("admin")
    user = db.session.query(ApiToken).filter(ApiToken.revoked_at.is_(None)).one().user
    users.update_user(SYSTEM, user.id, {"active": False})
    db.session.commit()
    assert ApiClient(client, raw2).get("/api/incidents").status_code == 401


def test_tokens_are_stored_hashed_and_track_last_use(client):
    raw = make_token("viewer")
    token = db.session.query(ApiToken).one()
    assert raw not in (token.token_hash, token.prefix) and len(token.token_hash) == 64
    assert token.last_used_at is None
    ApiClient(client, raw).get("/api/incidents")
    db.session.refresh(token)
    assert token.last_used_at is not None


# (method, path builder, body, minimum role)
ACTIONS = [
    ("get", lambda ids: "/api/incidents", None, "viewer"),
    ("get", lambda ids: f"/api/incidents/{ids['incident']}", None, "viewer"),
    ("get", lambda ids: f"/api/incidents/{ids['incident']}/updates", None, "viewer"),
    ("get", lambda ids: "/api/components", None, "viewer"),
    ("post", lambda ids: "/api/incidents", {"title": "t", "severity": "SEV3"}, "responder"),
    ("patch", lambda ids: f"/api/incidents/{ids['incident']}", {"title": "new"}, "responder"),
    ("post", lambda ids: f"/api/incidents/{ids['incident']}/transition", {"to": "identified"}, "responder"),
    ("post", lambda ids: f"/api/incidents/{ids['incident']}/updates", {"body": "b"}, "responder"),
    ("post", lambda ids: "/api/components", {"name": "New"}, "admin"),
    ("patch", lambda ids: f"/api/components/{ids['component']}", {"name": "Renamed"}, "admin"),
    ("delete", lambda ids: f"/api/components/{ids['spare']}", None, "admin"),
    ("get", lambda ids: "/api/audit", None, "admin"),
]
RANK = {"viewer": 0, "responder": 1, "admin": 2}


def domain_audit_count():
    return db.session.query(AuditEvent).filter(
        AuditEvent.target_type.notin_(["user", "api_token"])).count()


@pytest.mark.parametrize("role", ["viewer", "responder", "admin"])
@pytest.mark.parametrize("method,path,body,minimum", ACTIONS)
def test_role_matrix(api, api_as, role, method, path, body, minimum):
    ids = {"incident": make_incident(api)["id"], "component": make_component(api)["id"],
           "spare": make_component(api, "Spare")["id"]}
    caller = api_as(role)
    before = domain_audit_count()
    kwargs = {"json": body} if body is not None else {}
    response = getattr(caller, method)(path(ids), **kwargs)
    if RANK[role] >= RANK[minimum]:
        assert response.status_code in (200, 201, 204), response.json
    else:
        assert response.status_code == 403
        assert response.json["status"] == 403
        assert domain_audit_count() == before  # the refused write changed nothing


def test_session_cookie_writes_need_csrf(app, client):
    user = make_user("admin", password="correct horse")
    with client.session_transaction() as session:
        session["_user_id"] = session_key_for(user)
        session["_fresh"] = True
    assert client.get("/api/incidents").status_code == 200
    refused = client.post("/api/incidents", json={"title": "t", "severity": "SEV3"})
    assert refused.status_code == 400
    assert db.session.query(Incident).count() == 0
