"""The audit trail: every write leaves a row; filters and cursor pagination."""
from __future__ import annotations

import re

from statuspage.extensions import db
from statuspage.services import users
from tests.api.test_maintenances import iso
from tests.conftest import make_user
from tests.helpers import assert_problem, counts

# One call per write route, in an order that makes each succeed.
SCENARIO = [
    ("POST", "/api/component-groups", {"name": "Core"}),
    ("POST", "/api/components", {"name": "API", "group_id": 1}),
    ("POST", "/api/components", {"name": "Web"}),
    ("PATCH", "/api/components/1", {"status": "degraded_performance"}),
    ("PUT", "/api/components/order", {"ids": [2, 1]}),
    ("PATCH", "/api/component-groups/1", {"name": "Core services"}),
    ("POST", "/api/component-groups", {"name": "Spare"}),
    ("PUT", "/api/component-groups/order", {"ids": [2, 1]}),
    ("DELETE", "/api/component-groups/2", None),
    ("POST", "/api/templates", {"name": "Outage", "title": "Outage", "severity": "SEV2"}),
    ("PATCH", "/api/templates/1", {"severity": "SEV1"}),
    ("POST", "/api/incidents", {"template_id": 1, "components": [{"id": 1, "status": "major_outage"}]}),
    ("PATCH", "/api/incidents/1", {"title": "API outage"}),
    ("POST", "/api/incidents/1/updates", {"body": "Looking", "components": [{"id": 1, "status": "partial_outage"}]}),
    ("POST", "/api/incidents/1/transition", {"to": "resolved"}),
    ("POST", "/api/incidents/1/postmortem", {"summary": "Short"}),
    ("PATCH", "/api/incidents/1/postmortem", {"impact": "Some"}),
    ("POST", "/api/incidents/1/postmortem/action-items", {"title": "Fix"}),
    ("PATCH", "/api/action-items/1", {"status": "done"}),
    ("DELETE", "/api/action-items/1", None),
    ("POST", "/api/incidents/1/postmortem/publish", None),
    ("POST", "/api/maintenances", {"title": "M", "starts_at": iso(60), "ends_at": iso(120),
                                   "component_ids": [2]}),
    ("PATCH", "/api/maintenances/1", {"title": "M2"}),
    ("POST", "/api/maintenances/1/transition", {"to": "completed"}),
    ("DELETE", "/api/maintenances/1", None),
    ("DELETE", "/api/templates/1", None),
    ("DELETE", "/api/components/2", None),
    ("POST", "/api/components/2/restore", None),
    ("POST", "/api/integrations", {"kind": "webhook", "name": "Generic"}),
    ("PATCH", "/api/integrations/1", {"name": "Generic alerts"}),
    ("POST", "/api/integrations/1/rotate-secret", None),
    ("POST", "/api/integrations/1/ingest", {"component": "API", "status": "major_outage"}),
    ("POST", "/api/monitors", {"name": "Edge", "kind": "http", "url": "http://example.test/",
                               "interval_seconds": 60, "timeout_seconds": 5}),
    ("PATCH", "/api/monitors/1", {"name": "Edge probe"}),
    ("POST", "/api/monitors/1/pause", None),
    ("POST", "/api/monitors/1/resume", None),
    ("DELETE", "/api/monitors/1", None),
    ("POST", "/api/subscribers", {"email": "reader@example.com"}),
    ("POST", "/api/mail/test", {"email": "ops@example.com"}),
    ("DELETE", "/api/subscribers/1", None),
    # The api fixture's admin is user 1 with token 1.
    ("POST", "/api/users", {"email": "new@example.com", "name": "New"}),
    ("PATCH", "/api/users/2", {"role": "responder"}),
    ("POST", "/api/users/2/tokens", {"name": "ci"}),
    ("DELETE", "/api/tokens/2", None),
    ("PATCH", "/api/settings", {"page_name": "Globex"}),
    ("POST", "/api/share-links", {"label": "Board", "expires_at": iso(24 * 60)}),
    ("POST", "/api/share-links/1/revoke", None),
    # An IP literal that is public: no DNS lookup, and the SSRF guard lets it pass.
    ("POST", "/api/integrations", {"kind": "slack", "name": "#ops", "url": "https://1.1.1.1/hook"}),
    # The second integration: id 2 on every backend (Postgres never reuses a deleted id).
    ("PATCH", "/api/integrations/2", {"name": "#incidents"}),
    ("POST", "/api/integrations/2/test", None),
    ("POST", "/api/subscribers/import", {"csv": "email\nimported@example.com\n"}),
    ("DELETE", "/api/integrations/2", None),
]
# Needs a FAILED delivery first; audited in test_retry_is_audited below.
COVERED_ELSEWHERE = {("POST", "/api/deliveries/<id>/retry"),
                     # Needs the generated secret; tests/integrations/test_alert_ingest.py checks
                     # its changes are audited as the integration.
                     ("POST", "/api/hooks/<id>/<id>")}


def _write_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        spec = getattr(app.view_functions[rule.endpoint], "endpoint_spec", None)
        if spec is not None and spec.write:
            for method in rule.methods - {"HEAD", "OPTIONS", "GET"}:
                routes.add((method, re.sub(r"<[^>]+>", "<id>", rule.rule)))
    return routes


def test_every_write_route_leaves_an_audit_row(app, api):
    for method, path, body in SCENARIO:
        before, _ = counts()
        response = api.client.open(path, method=method, json=body, headers=api._headers(None))
        assert response.status_code in (200, 201, 202, 204), (method, path, response.json)
        assert counts()[0] > before, f"{method} {path} wrote no audit row"
    covered = {(m, re.sub(r"/\d+", "/<id>", p)) for m, p, _ in SCENARIO}
    missing = _write_routes(app) - covered - COVERED_ELSEWHERE
    assert not missing, f"write routes without an audit check: {sorted(missing)}"


def test_auth_events_are_audited(api):
    admin = make_user("admin")
    actor = users.actor_for(admin)
    user = users.create_user(actor, "new@example.com", "New", "viewer", "correct horse")
    users.update_user(actor, user.id, {"role": "responder", "password": "battery staple"})
    token, _raw = users.create_token(actor, user, "ci")
    users.revoke_token(actor, token.id)
    users.revoke_token(actor, token.id)  # already revoked: no second row
    db.session.commit()
    rows = api.get(f"/api/audit?actor=user:{admin.id}").json["items"]
    assert [r["action"] for r in rows] == ["token.revoked", "token.created", "user.updated", "user.created"]
    updated = rows[2]
    assert updated["before"] == {"role": "viewer"}
    assert updated["after"] == {"role": "responder", "password": "changed"}
    assert all("hash" not in str(r) and "battery" not in str(r) for r in rows)


def test_cli_user_and_token_creation_are_audited(api, runner):
    result = runner.invoke(args=["users", "create", "--email", "cli@example.com", "--name", "Cli",
                                 "--role", "viewer", "--no-password"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["tokens", "create", "--email", "cli@example.com", "--name", "x"])
    assert result.exit_code == 0, result.output
    items = api.get("/api/audit?actor=system&action_prefix=").json["items"]
    assert {"user.created", "token.created"} <= {i["action"] for i in items}


def test_filters_and_cursor_pagination(api):
    for name in ("A", "B", "C", "D", "E"):
        api.post("/api/components", json={"name": name})
    api.patch("/api/components/2", json={"name": "BB"})
    page1 = api.get("/api/audit?target_type=component&limit=2").json
    assert [i["action"] for i in page1["items"]] == ["component.updated", "component.created"]
    ids = [i["id"] for i in page1["items"]]
    assert ids == sorted(ids, reverse=True)
    page2 = api.get(f"/api/audit?target_type=component&limit=2&cursor={page1['next_cursor']}").json
    page3 = api.get(f"/api/audit?target_type=component&limit=2&cursor={page2['next_cursor']}").json
    assert page3["next_cursor"] is None
    seen = [i["id"] for p in (page1, page2, page3) for i in p["items"]]
    assert len(seen) == len(set(seen)) == 6
    by_target = api.get("/api/audit?target_type=component&target_id=2").json["items"]
    assert [i["action"] for i in by_target] == ["component.updated", "component.created"]
    assert by_target[0]["before"] == {"name": "B"} and by_target[0]["after"] == {"name": "BB"}
    assert len(api.get("/api/audit?action=component.updated").json["items"]) == 1
    assert api.get("/api/audit?since=2999-01-01T00:00:00Z").json["items"] == []
    token_actor = by_target[0]["actor_type"]
    assert token_actor == "token" and by_target[0]["request_id"]


def test_bad_filters_and_roles(api, api_as):
    for query in ("limit=0", "limit=500", "cursor=abc", "since=yesterday", "actor=robot",
                  "actor_type=robot", "actor=user:abc", "actor=system:7071500548",
                  "actor=user:2147483648"):
        assert_problem(api.get(f"/api/audit?{query}"), 422)
    assert_problem(api_as("responder").get("/api/audit"), 403)
    assert_problem(api_as("viewer").get("/api/audit"), 403)


from tests.conftest import make_incident  # noqa: E402


def test_newest_first_with_filters_and_cursor(api):
    incident = make_incident(api)
    api.post(f"/api/incidents/{incident['id']}/transition", json={"to": "identified"},
             headers={"X-Request-ID": "req-abc"})
    items = api.get("/api/audit").json["items"]
    assert items[0]["action"] == "incident.transitioned"
    assert items[0]["before"] == {"status": "investigating"} and items[0]["after"] == {"status": "identified"}
    assert items[0]["request_id"] == "req-abc" and items[0]["actor_type"] == "token"
    filtered = api.get("/api/audit", query_string={"target_type": "incident", "target_id": incident["id"]}).json
    assert [i["action"] for i in filtered["items"]] == ["incident.transitioned", "incident.created"]
    assert api.get("/api/audit", query_string={"action": "incident.created"}).json["items"][0]["target_id"] == str(incident["id"])
    page1 = api.get("/api/audit", query_string={"limit": 2}).json
    page2 = api.get("/api/audit", query_string={"limit": 2, "cursor": page1["next_cursor"]}).json
    assert page1["next_cursor"] and {i["id"] for i in page1["items"]}.isdisjoint({i["id"] for i in page2["items"]})
    assert api.get("/api/audit", query_string={"since": "2999-01-01T00:00:00Z"}).json["items"] == []
    assert api.get("/api/audit", query_string={"limit": 0}).status_code == 422


def test_retry_is_audited(api):
    from statuspage.models import EmailDelivery

    assert api.post("/api/mail/test", json={"email": "ops@example.com"}).status_code in (200, 201, 202)
    delivery = db.session.query(EmailDelivery).one()
    delivery.status, delivery.last_error = "FAILED", "550 rejected"
    db.session.commit()
    assert api.post(f"/api/deliveries/{delivery.id}/retry").status_code == 200
    row = api.get("/api/audit", query_string={"action": "delivery.retried"}).json["items"][0]
    assert row["target_id"] == str(delivery.id)
