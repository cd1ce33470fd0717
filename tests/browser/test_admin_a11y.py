"""axe-core on every console page, light and dark: no serious or critical violation,
no console errors, no CSP violations (the dialogs are checked open too)."""
from __future__ import annotations

import pytest

from statuspage.extensions import db
from statuspage.models import EmailDelivery, Subscriber, utcnow
from tests.browser.admin_helpers import sign_in
from tests.browser.conftest import AXE
from tests.conftest import make_component, make_incident, make_user
from tests.admin.conftest import PASSWORD

pytestmark = pytest.mark.browser

AXE_RUN = ("axe.run().then(r => r.violations.filter(v => ['serious', 'critical'].includes(v.impact))"
           ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))})))")


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


def _axe(page) -> list:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN)


@pytest.mark.slow(seconds=40)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_console_pages_pass_axe(live_server, watched, showcase, scheme):
    admin = make_user("admin", password=PASSWORD)
    watch = watched(color_scheme=scheme)
    audit = watched(color_scheme=scheme, bypass_csp=True).page  # axe runs as an injected script
    sign_in(watch.page, live_server.url, admin)
    sign_in(audit, live_server.url, admin)
    for path in _pages(showcase):
        watch.page.goto(live_server.url + path)
        watch.page.wait_for_load_state("networkidle")
        assert watch.errors == [], (path, watch.errors)
        assert watch.csp_violations() == [], path
        audit.goto(live_server.url + path)
        audit.wait_for_load_state("networkidle")
        assert _axe(audit) == [], (path, scheme)
    # The dialogs, open.
    audit.goto(live_server.url + "/admin/incidents")
    audit.keyboard.press("c")
    assert _axe(audit) == [], ("create dialog", scheme)
    audit.keyboard.press("Escape")
    audit.keyboard.press("?")
    assert _axe(audit) == [], ("help dialog", scheme)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_sign_in_page_passes_axe(live_server, watched, scheme):
    page = watched(color_scheme=scheme, bypass_csp=True).page
    page.goto(live_server.url + "/admin/login")
    assert _axe(page) == []
    page.fill("#email", "nobody@example.com")
    page.fill("#password", "wrong-password")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("alert").inner_text() == "The email address or password is not correct."
    assert _axe(page) == []


def test_single_column_on_a_phone(live_server, watched, showcase):
    page = watched(viewport={"width": 375, "height": 800}).page
    sign_in(page, live_server.url, make_user("admin", password=PASSWORD), f"/admin/incidents/{showcase['incident']}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    assert page.evaluate("getComputedStyle(document.querySelector('.app')).gridTemplateColumns").count("px") == 1
