"""axe-core on every console page, light and dark: no serious or critical violation,
no console errors, no CSP violations (the dialogs are checked open too)."""
from __future__ import annotations

import pytest

from statuspage.extensions import db
from statuspage.models import EmailDelivery, Subscriber, utcnow
from tests.browser.admin_helpers import sign_in
from tests.browser.conftest import serious_axe_findings
from tests.conftest import make_component, make_incident, make_user
from tests.admin.conftest import PASSWORD

pytestmark = pytest.mark.browser

@pytest.fixture
def showcase(api):
    group = api.post("/api/component-groups", json={"name": "Core"}).json
    component = make_component(api, "API", group_id=group["id"])
    make_component(api, "Web")
    api.post("/api/templates", json={"name": "DB slow", "title": "Database slow", "severity": "SEV2",
                                     "tags": ["db"], "components": [{"id": component["id"], "status": "degraded_performance"}]})
    incident = make_incident(api, title="Elevated errors", severity="SEV1", tags=["api"],
                             components=[{"id": component["id"], "status": "partial_outage"}])
    api.post(f"/api/incidents/{incident['id']}/updates", json={"body": "Internal note", "visibility": "internal"})
    api.post(f"/api/incidents/{incident['id']}/transition", json={"to": "resolved", "message": "Fixed"})
    api.post(f"/api/incidents/{incident['id']}/postmortem", json={"summary": "A *summary*"})
    api.post(f"/api/incidents/{incident['id']}/postmortem/action-items", json={"title": "Add alerts"})
    make_incident(api, title="Queue backlog", severity="SEV3")
    api.post("/api/maintenances", json={"title": "Upgrade", "starts_at": "2030-01-01T00:00:00Z",
                                        "ends_at": "2030-01-01T01:00:00Z", "component_ids": [component["id"]]})
    subscriber = Subscriber(email="ann@example.com", scope="all", confirmed_at=utcnow())
    db.session.add(subscriber)
    db.session.flush()
    db.session.add(EmailDelivery(kind="notification", to_address=subscriber.email, subject="Hi", status="FAILED",
                                 attempts=6, last_error="550", subscriber_id=subscriber.id, created_at=utcnow(),
                                 updated_at=utcnow()))
    db.session.commit()
    return {"incident": incident["id"]}


def _pages(showcase):
    return ["/admin/incidents", "/admin/incidents?severity=SEV1", "/admin/incidents/new",
            f"/admin/incidents/{showcase['incident']}", "/admin/components", "/admin/maintenance",
            "/admin/templates", "/admin/subscribers", "/admin/audit", "/admin/users", "/admin/account/password",
            "/admin/settings"]


@pytest.mark.slow(seconds=40)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_console_pages_pass_axe(live_server, watched, showcase, scheme):
    admin = make_user("admin", password=PASSWORD)
    watch = watched(color_scheme=scheme)
    page = watch.page
    sign_in(page, live_server.url, admin)
    for path in _pages(showcase):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert watch.errors == [], (path, watch.errors)
        assert watch.csp_violations() == [], path
        assert serious_axe_findings(page) == [], (path, scheme)
    # The dialogs, open.
    page.goto(live_server.url + "/admin/incidents")
    page.keyboard.press("c")
    assert serious_axe_findings(page) == [], ("create dialog", scheme)
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    assert serious_axe_findings(page) == [], ("help dialog", scheme)
    assert watch.errors == [] and watch.csp_violations() == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_sign_in_page_passes_axe(live_server, watched, scheme):
    watch = watched(color_scheme=scheme)
    page = watch.page
    page.goto(live_server.url + "/admin/login")
    assert serious_axe_findings(page) == []
    page.fill("#email", "nobody@example.com")
    page.fill("#password", "wrong-password")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("alert").inner_text() == "The email address or password is not correct."
    assert serious_axe_findings(page) == []
    assert watch.csp_violations() == []  # (the refused sign-in's 401 is logged as an error)


def test_single_column_on_a_phone(live_server, watched, showcase):
    page = watched(viewport={"width": 375, "height": 800}).page
    sign_in(page, live_server.url, make_user("admin", password=PASSWORD), f"/admin/incidents/{showcase['incident']}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    assert page.evaluate("getComputedStyle(document.querySelector('.app')).gridTemplateColumns").count("px") == 1
