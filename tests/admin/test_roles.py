"""Roles and CSRF across every console view: the server refuses what the page does not offer."""
from __future__ import annotations

import re

import pytest

from tests.admin.conftest import csrf_from
from tests.conftest import make_component, make_incident
from tests.helpers import counts

READ_PAGES = {
    "/admin/incidents": "viewer", "/admin/incidents/new": "responder", "/admin/components": "viewer",
    "/admin/maintenance": "viewer", "/admin/templates": "viewer", "/admin/subscribers": "admin",
    "/admin/audit": "admin", "/admin/users": "admin", "/admin/account/password": "viewer",
    "/admin/integrations": "admin",
    "/admin/alerts": "admin",
    "/admin/monitors": "admin",
}
RANK = {"viewer": 0, "responder": 1, "admin": 2}


@pytest.fixture
def world(api):
    component = make_component(api, "API")
    incident = make_incident(api, components=[{"id": component["id"], "status": "partial_outage"}])
    api.post(f"/api/incidents/{incident['id']}/postmortem", json={"summary": "s"})
    item = api.post(f"/api/incidents/{incident['id']}/postmortem/action-items", json={"title": "t"}).json
    template = api.post("/api/templates", json={"name": "T", "title": "x"}).json
    group = api.post("/api/component-groups", json={"name": "G"}).json
    window = api.post("/api/maintenances", json={"title": "M", "starts_at": "2030-01-01T00:00:00Z",
                                                 "ends_at": "2030-01-01T01:00:00Z"}).json
    return {"component": component["id"], "incident": incident["id"], "item": item["id"],
            "template": template["id"], "group": group["id"], "window": window["id"]}


def writes(w) -> list[tuple[str, str, dict]]:
    """(minimum role, path, form) for every console write."""
    i = w["incident"]
    return [
        ("responder", "/admin/incidents/new", {"title": "t", "severity": "SEV1"}),
        ("responder", f"/admin/incidents/{i}/compose", {"status": "identified"}),
        ("responder", f"/admin/incidents/{i}/compose", {"body": "b"}),
        ("responder", f"/admin/incidents/{i}/components", {}),
        ("responder", f"/admin/incidents/{i}/details", {"title": "new"}),
        ("responder", f"/admin/incidents/{i}/postmortem", {"summary": "x"}),
        ("responder", f"/admin/incidents/{i}/postmortem/publish", {}),
        ("responder", f"/admin/incidents/{i}/action-items", {"title": "t"}),
        ("responder", f"/admin/action-items/{w['item']}", {"title": "t2"}),
        ("responder", f"/admin/action-items/{w['item']}/delete", {}),
        ("admin", "/admin/components", {"name": "C"}),
        ("admin", f"/admin/components/{w['component']}", {"name": "C2"}),
        ("admin", f"/admin/components/{w['component']}/archive", {}),
        ("admin", f"/admin/components/{w['component']}/restore", {}),
        ("admin", "/admin/component-groups", {"name": "G"}),
        ("admin", f"/admin/component-groups/{w['group']}/delete", {}),
        ("admin", "/admin/templates", {"name": "T2"}),
        ("admin", f"/admin/templates/{w['template']}", {"name": "T3"}),
        ("admin", f"/admin/templates/{w['template']}/delete", {}),
        ("admin", "/admin/maintenance", {"title": "M"}),
        ("admin", f"/admin/maintenance/{w['window']}/status", {"status": "in_progress"}),
        ("admin", f"/admin/maintenance/{w['window']}/delete", {}),
        ("admin", "/admin/deliveries/1/retry", {}),
        ("admin", "/admin/mail/test", {"email": "a@example.com"}),
        ("admin", "/admin/subscribers/1/delete", {}),
        ("admin", "/admin/subscribers/import", {}),
        ("admin", "/admin/integrations", {"kind": "slack", "name": "x", "url": "https://1.1.1.1/x"}),
        ("admin", "/admin/integrations/1/test", {}),
        ("admin", "/admin/integrations/1/toggle", {}),
        ("admin", "/admin/integrations/1/delete", {}),
        ("admin", "/admin/users", {"email": "n@example.com", "name": "N"}),
        ("admin", "/admin/users/1", {"role": "viewer"}),
        ("admin", "/admin/users/1/tokens", {"name": "t"}),
        ("admin", "/admin/tokens/1/revoke", {}),
    ]


@pytest.mark.parametrize("role", ["viewer", "responder", "admin"])
def test_pages_by_role(console_as, role):
    console = console_as(role)
    for path, needed in READ_PAGES.items():
        expected = 200 if RANK[role] >= RANK[needed] else 403
        assert console.get(path).status_code == expected, path


@pytest.mark.parametrize("role", ["viewer", "responder"])
def test_writes_above_the_role_are_refused_and_change_nothing(console_as, world, role):
    console = console_as(role)
    before = counts()
    for needed, path, form in writes(world):
        if RANK[role] < RANK[needed]:
            response = console.post(path, form)
            assert response.status_code == 403, path
            assert "Forbidden" in response.text
    assert counts() == before


def test_every_console_write_refuses_a_missing_or_wrong_csrf_token(console, world):
    before = counts()
    for _needed, path, form in writes(world):
        assert console.post(path, form, csrf=False).status_code == 400, path
        assert console.post(path, {**form, "csrf_token": "forged"}, csrf=False).status_code == 400, path
    assert counts() == before


def test_viewer_sees_no_write_controls(console_as, world):
    console = console_as("viewer")
    for path in ("/admin/incidents", f"/admin/incidents/{world['incident']}", "/admin/components",
                 "/admin/maintenance", "/admin/templates"):
        html = console.get(path).text
        actions = set(re.findall(r'<form method="post" action="([^"]+)"', html))
        assert actions == {"/admin/logout"}, (path, actions)
        assert "Create incident" not in html and 'formaction' not in html


def test_responder_sees_incident_controls_but_not_admin_ones(console_as, world):
    console = console_as("responder")
    detail = console.get(f"/admin/incidents/{world['incident']}").text
    for control in ("Post update", 'name="status" value="identified"', "Save postmortem", "Create incident"):
        assert control in detail
    assert "Add a component" not in console.get("/admin/components").text
    nav = console.get("/admin/incidents").text
    assert "Audit log" not in nav and "Users &amp; tokens" not in nav


def test_admin_sees_every_section(console):
    nav = console.get("/admin/incidents").text
    for section in ("Incidents", "Components", "Maintenance", "Templates", "Subscribers &amp; deliveries",
                    "Audit log", "Users &amp; tokens"):
        assert section in nav


def test_console_pages_are_private_and_carry_the_csrf_meta(console):
    response = console.get("/admin/incidents")
    assert response.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert csrf_from(response.text)
    assert "<script>" not in response.text  # no inline script
