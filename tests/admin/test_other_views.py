"""Components, templates, maintenance, subscribers & deliveries, audit log, users & tokens."""
from __future__ import annotations

import re

from sqlalchemy import select

from statuspage.extensions import db
from statuspage.models import (ApiToken, Component, ComponentGroup, EmailDelivery, IncidentTemplate,
                               Maintenance, Subscriber, User, utcnow)
from statuspage.services import users
from tests.conftest import make_component, make_incident
from tests.helpers import audit_actions


def _all(model):
    db.session.expire_all()
    return list(db.session.scalars(select(model).order_by(model.id)))


def test_components_and_groups(console):
    assert console.post("/admin/component-groups", {"name": "Core", "description": ""}).status_code == 303
    group = _all(ComponentGroup)[0]
    assert console.post("/admin/components", {"name": "API", "description": "REST",
                                              "group_id": str(group.id)}).status_code == 303
    component = _all(Component)[0]
    assert component.group_id == group.id
    response = console.post(f"/admin/components/{component.id}",
                            {"name": "API v2", "status": "major_outage", "group_id": "", "description": "REST"})
    assert response.status_code == 303 and response.location.endswith(f"#component-{component.id}")
    component = _all(Component)[0]
    assert (component.name, component.status, component.group_id) == ("API v2", "major_outage", None)
    html = console.get("/admin/components").text
    assert "API v2" in html and "Ungrouped" in html and "Major outage" in html
    assert console.post(f"/admin/components/{component.id}", {"status": "on_fire"}).status_code == 422
    assert console.post("/admin/components", {"name": ""}).status_code == 422
    assert console.post(f"/admin/component-groups/{group.id}/delete").status_code == 303
    assert console.post(f"/admin/components/{component.id}/archive").status_code == 303
    assert [c.archived_at is not None for c in _all(Component)] == [True] and _all(ComponentGroup) == []
    assert console.post("/admin/components/999/archive").status_code == 404


def test_archiving_a_component_in_use_keeps_it_and_shows_who_is_left_with_nothing(console, api):
    from tests.helpers_subs import make_subscriber

    component = make_component(api, "Legacy API")
    make_incident(api, components=[{"id": component["id"], "status": "partial_outage"}])
    make_subscriber("orphan@example.com", "components", components=[component["id"]])
    response = console.post(f"/admin/components/{component['id']}/archive")
    assert response.status_code == 303 and response.location.endswith("#archived-components")
    html = console.get("/admin/components").text
    archived = html.split('id="archived-components"')[1]
    assert "Legacy API" in archived and "Restore" in archived
    assert "Subscribers with nothing to follow" in archived and "orphan@example.com" in archived
    assert console.post(f"/admin/components/{component['id']}/restore").status_code == 303
    assert _all(Component)[0].archived_at is None
    assert 'id="archived-components"' not in console.get("/admin/components").text


def test_templates(console, api):
    component = make_component(api, "API")
    response = console.post("/admin/templates", {
        "kind": "incident", "name": "DB slow", "title": "Database slow", "body": "Queries are *slow*.",
        "severity": "SEV2", "tags": "db, latency", f"impact-{component['id']}": "degraded_performance"})
    assert response.status_code == 303
    template = _all(IncidentTemplate)[0]
    assert (template.severity, template.tags, template.components) == (
        "SEV2", ["db", "latency"], [{"id": component["id"], "status": "degraded_performance"}])
    html = console.get("/admin/templates").text
    assert "Queries are <em>slow</em>." in html
    # The create dialog's picker carries the template's fields as JSON.
    assert '"title": "Database slow"' in html or '"title":"Database slow"' in html
    console.post(f"/admin/templates/{template.id}", {"name": "DB slow", "title": "DB slow", "body": "",
                                                     "severity": "", "tags": ""})
    template = _all(IncidentTemplate)[0]
    assert (template.title, template.severity, template.components) == ("DB slow", None, [])
    assert console.post("/admin/templates", {"name": "", "kind": "incident"}).status_code == 422
    assert console.post(f"/admin/templates/{template.id}/delete").status_code == 303
    assert _all(IncidentTemplate) == []


def test_maintenance(console, api):
    component = make_component(api, "DB")
    response = console.post("/admin/maintenance", {
        "title": "Upgrade", "description": "", "starts_at": "2030-01-01T10:00", "ends_at": "2030-01-01T11:00",
        "component_ids": str(component["id"])})
    assert response.status_code == 303
    window = _all(Maintenance)[0]
    assert window.starts_at.hour == 10 and [c.component_id for c in window.components] == [component["id"]]
    html = console.get("/admin/maintenance").text
    assert "Upgrade" in html and "Start now" in html
    assert console.post(f"/admin/maintenance/{window.id}/status", {"status": "in_progress"}).status_code == 303
    assert _all(Maintenance)[0].status == "in_progress"
    assert console.post(f"/admin/maintenance/{window.id}/delete").status_code == 409
    bad = console.post("/admin/maintenance", {"title": "x", "starts_at": "2030-01-01T11:00",
                                              "ends_at": "2030-01-01T10:00"})
    assert bad.status_code == 422
    assert console.post("/admin/maintenance", {"title": "x", "starts_at": "soon"}).status_code == 422
    for status in ("verifying", "completed"):
        console.post(f"/admin/maintenance/{window.id}/status", {"status": status})
    assert console.post(f"/admin/maintenance/{window.id}/delete").status_code == 303


def _delivery(status: str, subscriber=None, **fields):
    row = EmailDelivery(kind="notification", to_address=subscriber.email if subscriber else "x@example.com",
                        subject="Hello", status=status, attempts=fields.pop("attempts", 1),
                        subscriber_id=subscriber.id if subscriber else None, created_at=utcnow(),
                        updated_at=utcnow(), **fields)
    db.session.add(row)
    db.session.commit()
    return row


def test_subscribers_and_deliveries(console):
    subscriber = Subscriber(email="ann@example.com", scope="all", confirmed_at=utcnow())
    db.session.add(subscriber)
    db.session.commit()
    failed = _delivery("FAILED", subscriber, last_error="550 no such user", attempts=6)
    _delivery("SENT", subscriber)
    _delivery("PENDING", subscriber)
    html = console.get("/admin/subscribers").text
    counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', html))
    assert counts == {"PENDING": "1", "SENDING": "0", "SENT": "1", "FAILED": "1"}
    assert 'id="worker-warning"' in html and "no worker is running" in html
    assert "550 no such user" in html and "ann@example.com" in html
    only_failed = console.get("/admin/subscribers?status=FAILED").text
    assert only_failed.split('id="deliveries"')[1].count('data-delivery="FAILED"') == 1
    assert 'data-delivery="SENT"' not in only_failed.split('id="deliveries"')[1].split("test-email")[0]
    retry = console.post(f"/admin/deliveries/{failed.id}/retry")
    assert retry.status_code == 303
    db.session.expire_all()
    assert db.session.get(EmailDelivery, failed.id).status == "PENDING"
    assert console.post(f"/admin/deliveries/{failed.id}/retry").status_code == 409
    sent = console.post("/admin/mail/test", {"email": "ops@example.com"})
    assert sent.status_code == 303 and "sent=1" in sent.location
    assert "Test email queued." in console.get(sent.location).text
    assert console.post("/admin/mail/test", {"email": "not an address"}).status_code == 422
    assert console.post(f"/admin/subscribers/{subscriber.id}/delete").status_code == 303
    assert _all(Subscriber) == []
    assert set(audit_actions()) >= {"delivery.retried", "mail.test", "subscriber.deleted"}


def test_no_worker_warning_when_nothing_waits(console):
    assert 'id="worker-warning"' not in console.get("/admin/subscribers").text


def test_audit_log_with_filters(console, api):
    incident = make_incident(api, title="Audited")
    make_component(api, "API")
    html = console.get("/admin/audit").text
    assert "incident.created" in html and "component.created" in html and "auth.login" in html
    only = console.get("/admin/audit?action_prefix=incident.").text.split('id="audit-list"')[1]
    assert "incident.created" in only and "component.created" not in only
    by_target = console.get(f"/admin/audit?target_type=incident&target_id={incident['id']}").text
    assert "incident.created" in by_target.split('id="audit-list"')[1]
    mine = console.get(f"/admin/audit?actor=user:{console.user.id}").text.split('id="audit-list"')[1]
    assert "auth.login" in mine and "incident.created" not in mine
    assert console.get("/admin/audit?actor=robot").status_code == 422


def test_audit_log_pages_with_a_cursor(console, api):
    for n in range(55):
        make_component(api, f"C{n}")
    html = console.get("/admin/audit").text
    cursor = re.search(r'href="/admin/audit\?cursor=(\d+)[^"]*" rel="next"', html).group(1)
    older = console.get(f"/admin/audit?cursor={cursor}").text
    assert "C0" in older


def test_users_and_tokens(console):
    assert console.post("/admin/users", {"email": "New@Example.com", "name": "Nia", "role": "responder",
                                         "password": "long-enough-pw"}).status_code == 303
    nia = users.find_by_email("new@example.com")
    assert nia.role == "responder"
    assert console.post("/admin/users", {"email": "new@example.com", "name": "Dup"}).status_code == 409
    assert console.post("/admin/users", {"email": "bad", "name": "X"}).status_code == 422
    assert console.post(f"/admin/users/{nia.id}", {"role": "viewer"}).status_code == 303
    assert console.post(f"/admin/users/{nia.id}", {"active": "false"}).status_code == 303
    db.session.expire_all()
    nia = db.session.get(User, nia.id)
    assert (nia.role, nia.active) == ("viewer", False)
    created = console.post(f"/admin/users/{nia.id}/tokens", {"name": "ci"})
    assert created.status_code == 201
    raw = re.search(r'id="new-token-value"[^>]*value="(sp_[^"]+)"', created.text).group(1)
    assert created.headers["Cache-Control"] == "no-store"
    token = _all(ApiToken)[0]
    assert token.token_hash == users.hash_token(raw)
    listing = console.get("/admin/users").text
    assert raw not in listing and f"{token.prefix}…" in listing  # shown once only
    assert console.post(f"/admin/tokens/{token.id}/revoke").status_code == 303
    assert _all(ApiToken)[0].revoked_at is not None
    assert {"user.created", "user.updated", "token.created", "token.revoked"} <= set(audit_actions())


def test_admin_cannot_lock_themselves_out(console):
    me = console.user.id
    assert console.post(f"/admin/users/{me}", {"role": "viewer"}).status_code == 409
    assert console.post(f"/admin/users/{me}", {"active": "false"}).status_code == 409
    assert console.get("/admin/users").status_code == 200


def test_demoted_user_is_signed_out(console, console_as):
    other = console_as("responder")
    console.post(f"/admin/users/{other.user.id}", {"role": "viewer"})
    assert other.get("/admin/incidents").status_code == 302
