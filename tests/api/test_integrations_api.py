"""The integrations CRUD: admin only, secrets kept encrypted or hashed, never shown again."""
from __future__ import annotations

import json

import pytest
from marshmallow import fields
from sqlalchemy import select

from statuspage.extensions import db
from statuspage.redaction import scrub
from statuspage.models import AuditEvent, Integration
from statuspage.schemas import integrations as kinds
from statuspage.services import integrations
from tests.conftest import make_component
from tests.helpers import assert_problem, audit_actions
from tests.receiver import allow_private  # noqa: F401  (fixture)

HOOK = "http://127.0.0.1:9/services/T000/B000/very-secret-part"




def _slack(api, **fields):
    response = api.post("/api/integrations", json={"kind": "slack", "name": "#ops", "url": HOOK,
                                                   **fields})
    assert response.status_code == 201, response.json
    return response.json


def _count() -> int:
    db.session.expire_all()
    return len(db.session.scalars(select(Integration)).all())


def test_create_keeps_the_url_encrypted_and_shows_only_a_hint(api, allow_private):
    component = make_component(api)
    body = _slack(api, components=[component["id"]], include_internal=True)
    assert body["kind"] == "slack" and body["name"] == "#ops" and body["enabled"] is True
    assert body["config"] == {"components": [component["id"]], "include_internal": True}
    assert body["secret_hint"] == "http://127.0.0.1/…"
    assert "very-secret-part" not in json.dumps(body) and "secret" not in body
    for path in ("/api/integrations", f"/api/integrations/{body['id']}"):
        assert "very-secret-part" not in api.get(path).get_data(as_text=True)
    row = db.session.get(Integration, body["id"])
    assert "very-secret-part" not in row.secret_encrypted and row.secret_hash is None
    assert integrations.secret_of(row) == HOOK
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.target_type == "integration")).all()
    assert [a.action for a in audit] == ["integration.created"]
    assert "very-secret-part" not in json.dumps(audit[0].after)


def test_update_and_delete_are_audited(api, allow_private):
    created = _slack(api)
    path = f"/api/integrations/{created['id']}"
    response = api.patch(path, json={"name": "#incidents", "enabled": False,
                                     "url": HOOK.replace("9", "10", 1)})
    assert response.status_code == 200, response.json
    assert response.json["name"] == "#incidents" and response.json["enabled"] is False
    assert response.json["config"] == created["config"]  # untouched keys stay
    assert integrations.secret_of(db.session.get(Integration, created["id"])).startswith("http://127.0.0.1:10/")
    assert_problem(api.patch(path, json={"kind": "teams"}), 422)
    assert api.delete(path).status_code == 204
    assert_problem(api.get(path), 404)
    assert_problem(api.delete(path), 404)
    assert audit_actions("integration") == ["integration.created", "integration.updated",
                                            "integration.deleted"]
    updated = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "integration.updated")).one()
    assert updated.after["secret"] == "replaced" and "very-secret" not in json.dumps(updated.after)


@pytest.mark.parametrize("body, field", [
    ({"kind": "pager", "name": "x", "url": HOOK}, "kind"),
    ({"name": "x", "url": HOOK}, "kind"),
    ({"kind": "slack", "url": HOOK}, "name"),
    ({"kind": "slack", "name": "x"}, "url"),
    ({"kind": "slack", "name": "x", "url": "ftp://127.0.0.1/x"}, "url"),
    ({"kind": "slack", "name": "x", "url": "javascript:alert(1)"}, "url"),
    ({"kind": "teams", "name": "x", "url": HOOK, "components": [999]}, "components"),
    ({"kind": "teams", "name": "x", "url": HOOK, "extra": 1}, "extra"),
])
def test_bad_input_creates_nothing(api, allow_private, body, field):
    problem = assert_problem(api.post("/api/integrations", json=body), 422)
    assert field in problem["errors"]
    assert _count() == 0 and audit_actions("integration") == []


def test_private_addresses_are_refused_with_the_guard_on(api):
    problem = assert_problem(api.post("/api/integrations", json={
        "kind": "slack", "name": "x", "url": "http://localhost:9/hook"}), 422)
    assert "loopback" in problem["errors"]["url"][0]
    assert _count() == 0


def test_only_admins_manage_integrations(api_as, anon, allow_private):
    responder = api_as("responder")
    assert_problem(anon.get("/api/integrations"), 401)
    assert_problem(responder.get("/api/integrations"), 403)
    assert_problem(responder.post("/api/integrations", json={"kind": "slack", "name": "x",
                                                            "url": HOOK}), 403)
    assert _count() == 0


class TokenInput(kinds.IntegrationInput):
    SECRET_STORAGE = "hashed"
    GENERATE_SECRET = True

    source = fields.String(load_default="alerts")


def test_a_new_kind_plugs_in_with_a_hashed_generated_secret(api):
    kinds.register_kind("test-inbound", TokenInput)
    try:
        response = api.post("/api/integrations", json={"kind": "test-inbound", "name": "in"})
        assert response.status_code == 201, response.json
        secret = response.json["secret"]
        assert secret.startswith("spi_") and response.json["config"] == {"source": "alerts"}
        assert "secret" not in api.get(f"/api/integrations/{response.json['id']}").json
        row = db.session.get(Integration, response.json["id"])
        assert row.secret_encrypted is None and secret not in row.secret_hash
        assert integrations.find_by_secret("test-inbound", secret).id == row.id
        assert integrations.find_by_secret("test-inbound", secret + "x") is None
        assert integrations.find_by_secret("slack", secret) is None
        listed = api.get("/api/integrations?kind=test-inbound").json["items"]
        assert [i["id"] for i in listed] == [row.id]
    finally:
        kinds.KINDS.pop("test-inbound")


def test_logs_never_show_chat_urls_or_signing_secrets():
    line = scrub("posting to https://hooks.slack.com/services/T1/B2/abc and "
                 "https://acme.webhook.office.com/webhookb2/xyz with whsec_MfKQ9r8GKYqrTwjUPD8ILPZI")
    assert "abc" not in line and "xyz" not in line and "MfKQ9r8" not in line
    assert "hooks.slack.com" in line
