"""Incident detail in a real Chromium: the one update composer, the postmortem editor, the commander."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from statuspage.extensions import db
from statuspage.models import Component, Incident
from tests.admin.conftest import PASSWORD
from tests.browser.admin_helpers import WAIT_MS, sign_in
from tests.conftest import make_component, make_incident, make_user

pytestmark = pytest.mark.browser


def test_update_text_is_kept_when_the_status_changes(live_server, watched, api):
    comp = make_component(api, "API")
    incident = make_incident(api, title="Disk full", severity="SEV2")
    watch = watched()
    page = watch.page
    sign_in(page, live_server.url, make_user("responder", password=PASSWORD), f"/admin/incidents/{incident['id']}")
    composer = page.locator("form#composer")
    expect(composer.get_by_role("radio", name="Investigating")).to_be_checked()  # the current status
    expect(composer.get_by_role("radio", name="Resolved")).to_have_count(1)  # an allowed transition
    page.fill("#update-body", "Found the **cause**.")
    composer.get_by_role("radio", name="Identified").check()
    composer.get_by_text("Change component statuses with this update").click()
    composer.get_by_label("API").select_option("partial_outage")
    page.fill("#next-update", "2030-01-01T10:00")
    composer.get_by_role("button", name="Post update").click()
    expect(page.locator("#incident-head .badge")).to_have_text("Identified", timeout=WAIT_MS)
    expect(page.locator("#timeline .entry").first).to_contain_text("Found the cause.")
    expect(page.locator("#timeline .entry").first).to_contain_text("API: Operational → Partial outage")
    db.session.expire_all()
    row = db.session.get(Incident, incident["id"])
    assert row.status == "identified"
    assert row.next_update_at is not None
    assert db.session.get(Component, comp["id"]).status == "partial_outage"
    # Only one message box and one submit on the page for updates.
    assert page.locator("textarea[name=body], textarea[name=message]").count() == 1
    assert watch.errors == [] and watch.csp_violations() == []


def test_postmortem_editor_is_collapsed_until_resolved_and_preview_all_shows(live_server, watched, api):
    incident = make_incident(api, title="Disk full", severity="SEV2")
    page = watched().page
    sign_in(page, live_server.url, make_user("responder", password=PASSWORD), f"/admin/incidents/{incident['id']}")
    expect(page.locator("#pm-summary")).to_be_hidden()
    page.locator("#postmortem summary").click()  # still reachable before resolution
    expect(page.locator("#pm-summary")).to_be_visible()
    api.post(f"/api/incidents/{incident['id']}/transition", json={"to": "resolved"})
    page.reload()
    expect(page.locator("#pm-summary")).to_be_visible()
    page.fill("#pm-summary", "The disk **filled up**.")
    page.get_by_role("button", name="Preview all").click()
    expect(page.locator("#pm-summary-preview strong")).to_have_text("filled up", timeout=WAIT_MS)
    expect(page.locator("#pm-summary-preview")).to_be_visible()
    expect(page.locator("#pm-summary")).to_have_value("The disk **filled up**.")


def test_commander_is_shown_and_settable(live_server, watched, api):
    incident = make_incident(api, title="Disk full", severity="SEV2")
    lead = make_user("responder", email="ada@example.com", password=PASSWORD)
    page = watched().page
    sign_in(page, live_server.url, lead, f"/admin/incidents/{incident['id']}")
    expect(page.locator("#commander")).to_contain_text("No commander")
    page.get_by_role("combobox", name="Commander").select_option(str(lead.id))
    page.get_by_role("button", name="Set commander").click()
    expect(page.locator("#commander-now")).to_contain_text(lead.name, timeout=WAIT_MS)
    db.session.expire_all()
    assert db.session.get(Incident, incident["id"]).commander_id == lead.id
