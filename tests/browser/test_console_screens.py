"""Operations screens in a real Chromium: phone layout, relative times, audit diffs and filters, maintenance zone."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from statuspage.extensions import db
from statuspage.models import Maintenance
from tests.admin.conftest import PASSWORD
from tests.browser.admin_helpers import WAIT_MS, sign_in
from tests.conftest import make_incident, make_user

pytestmark = pytest.mark.browser


def test_phone_content_starts_in_the_first_screen(live_server, watched, api):
    make_incident(api, title="Disk full")
    page = watched(viewport={"width": 390, "height": 844}).page
    sign_in(page, live_server.url, make_user("admin", password=PASSWORD))
    top = page.evaluate("document.querySelector('main h1').getBoundingClientRect().top")
    assert top < 844 / 2, top  # was 480 px of navigation before any content
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_times_are_relative_with_the_exact_time_on_focus(live_server, watched, api):
    incident = make_incident(api, title="Disk full")
    page = watched().page
    sign_in(page, live_server.url, make_user("responder", password=PASSWORD), f"/admin/incidents/{incident['id']}")
    stamp = page.locator("#incident-head time.rel").first
    expect(stamp).to_have_text("just now", timeout=WAIT_MS)
    stamp.focus()
    after = page.evaluate("getComputedStyle(document.activeElement, '::after').content")
    assert "UTC" in after


def test_audit_shows_field_diffs_links_targets_and_filters_on_change(live_server, watched, api):
    incident = make_incident(api, title="Disk full")
    api.patch(f"/api/incidents/{incident['id']}", json={"title": "Disk almost full"})
    admin = make_user("admin", password=PASSWORD)
    page = watched().page
    sign_in(page, live_server.url, admin, "/admin/audit")
    row = page.locator("tr", has_text="incident.updated")
    expect(row.locator("dl.diff dt")).to_have_text(["title"])
    expect(row.locator("del")).to_have_text("Disk full")
    expect(row.locator("ins")).to_have_text("Disk almost full")
    expect(row.get_by_role("link", name=f"incident #{incident['id']}")).to_have_attribute(
        "href", f"/admin/incidents/{incident['id']}")
    page.get_by_label("Actor").select_option(label=f"{admin.name} ({admin.email})")  # no Filter click
    page.wait_for_url(f"**/admin/audit?actor=user%3A{admin.id}*", timeout=WAIT_MS)


def test_maintenance_is_entered_in_the_page_zone_with_the_zone_shown(live_server, watched, api):
    api.patch("/api/settings", json={"time_zone": "Europe/Berlin"})
    page = watched().page
    sign_in(page, live_server.url, make_user("admin", password=PASSWORD), "/admin/maintenance")
    expect(page.get_by_text("Europe/Berlin").first).to_be_visible()
    page.locator("#nm-title").fill("Upgrade")
    page.locator("#nm-start").fill("2030-01-10T10:00")
    page.locator("#nm-end").fill("2030-01-10T11:00")
    page.get_by_role("button", name="Schedule").click()
    expect(page.locator("#maintenance-list")).to_contain_text("Upgrade", timeout=WAIT_MS)
    db.session.expire_all()
    window = db.session.scalars(select(Maintenance)).one()
    assert window.starts_at.isoformat().startswith("2030-01-10T09:00")  # 10:00 CET is 09:00 UTC
