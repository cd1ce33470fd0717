"""The public pages in a real Chromium against a real server."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from statuspage.extensions import db
from statuspage.services import incidents
from statuspage.services.context import SYSTEM
from statuspage.public import subscribe_url
from tests.browser.conftest import serious_axe_findings
from tests.conftest import make_component, make_incident
from tests.public.builders import make_maintenance, make_postmortem

pytestmark = pytest.mark.browser

WAIT_MS = 20_000  # generous: the machine is shared; this is not a speed assertion


@pytest.fixture
def showcase(api):
    group = api.post("/api/component-groups", json={"name": "Core"}).json
    core = make_component(api, "API", group_id=group["id"])
    make_component(api, "Web")
    incident = make_incident(api, title="Elevated errors", severity="SEV2", summary="We are **investigating**.",
                             components=[{"id": core["id"], "status": "partial_outage"}],
                             next_update_at="2030-01-01T10:00:00Z")
    resolved = make_incident(api, title="Old outage", severity="SEV1")
    api.post(f"/api/incidents/{resolved['id']}/transition", json={"to": "resolved", "message": "Fixed."})
    make_postmortem(resolved["id"])
    make_maintenance("Database upgrade", component_ids=[core["id"]])
    return {"incident": incident, "resolved": resolved}


def _pages(showcase, app):
    pages = ["/status", f"/status/incidents/{showcase['incident']['id']}",
             f"/status/incidents/{showcase['resolved']['id']}/postmortem", "/status/history", "/status/embed"]
    # The subscription pages (another part of the product) share this layout and CSS.
    with app.test_request_context():
        subscribe = subscribe_url()
    if subscribe:
        pages += [subscribe, subscribe + f"?incident={showcase['incident']['id']}"]
    return pages


def _stream_open(page):
    expect(page.locator("main[data-stream='open']")).to_have_count(1, timeout=WAIT_MS)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_have_no_console_errors_csp_violations_or_serious_axe_findings(live_server, watched, showcase, scheme,
                                                                             app):
    watch = watched(color_scheme=scheme)
    for path in _pages(showcase, app):
        watch.page.goto(live_server.url + path)
        watch.page.wait_for_load_state("networkidle") if path != "/status" else _stream_open(watch.page)
        assert watch.errors == [], (path, watch.errors)
        assert watch.csp_violations() == [], path
        assert serious_axe_findings(watch.page) == [], (path, scheme)


def test_no_javascript_rendering_is_complete(live_server, watched, showcase):
    page = watched(java_script_enabled=False).page
    page.goto(live_server.url + "/status")
    text = page.inner_text("body")
    for expected in ("Partial System Outage", "API is experiencing a partial outage", "Elevated errors", "We are investigating.",
                     "Next update by", "Database upgrade", "Core", "Partial outage", "uptime (30 days)",
                     "Past incidents", "Old outage", "Skip to main content"):
        assert expected in text, expected
    assert page.locator("details.group[open]").count() == 1  # the degraded group opens itself
    assert not page.locator(".header-actions").is_visible()  # needs JS, so hidden without it
    page.goto(live_server.url + f"/status/incidents/{showcase['incident']['id']}")
    assert "We are investigating." in page.inner_text("main")


def test_incident_created_through_the_api_appears_without_reload(live_server, watched, api):
    make_component(api, "API")
    page = watched().page
    page.goto(live_server.url + "/status")
    _stream_open(page)
    page.evaluate("window.__sameDocument = true")
    make_incident(api, title="Brand new incident", severity="SEV1")
    expect(page.locator("article.incident", has_text="Brand new incident")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator(".toast")).to_have_text("New incident update received", timeout=WAIT_MS)
    assert page.evaluate("window.__sameDocument") is True


def test_component_change_updates_banner_and_row_in_place(live_server, watched, api):
    comp = make_component(api, "API")
    page = watched().page
    page.goto(live_server.url + "/status")
    _stream_open(page)
    api.patch(f"/api/components/{comp['id']}", json={"status": "major_outage"})
    expect(page.locator("#banner-title")).to_have_text("Major System Outage", timeout=WAIT_MS)
    expect(page.locator(f".component[data-id='{comp['id']}'] .chip")).to_have_text("Major outage")


def test_reconnect_replays_missed_events(live_server, watched, api, app):
    make_component(api, "API")
    page = watched().page
    page.goto(live_server.url + "/status")
    _stream_open(page)
    page.evaluate("window.__sameDocument = true")
    live_server.stop()
    # Written while the page is disconnected: committed and published to the Redis stream.
    incidents.create(SYSTEM, {"title": "Happened while offline", "severity": "SEV3"})
    db.session.commit()
    live_server.start()
    expect(page.locator("article.incident", has_text="Happened while offline")).to_be_visible(timeout=WAIT_MS)
    assert page.evaluate("window.__sameDocument") is True


def test_theme_toggle_is_remembered(live_server, watched):
    page = watched(color_scheme="light").page
    page.goto(live_server.url + "/status/history")
    page.get_by_role("button", name="Switch to dark theme").click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    expect(page.get_by_role("button", name="Switch to light theme")).to_be_visible()


def test_single_column_on_a_phone(live_server, watched, showcase):
    page = watched(viewport={"width": 375, "height": 800}).page
    page.goto(live_server.url + "/status")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.evaluate("getComputedStyle(document.querySelector('.component-head')).flexDirection") == "column"


def test_times_are_shown_in_the_readers_zone(live_server, watched, showcase):
    page = watched(timezone_id="Asia/Tokyo").page
    page.goto(live_server.url + f"/status/incidents/{showcase['incident']['id']}")
    expect(page.locator("time[data-local]").first).to_contain_text("GMT+9", timeout=WAIT_MS)


def test_updates_dialog_traps_focus_and_closes_with_escape(live_server, watched):
    page = watched().page
    page.goto(live_server.url + "/status/history")
    opener = page.get_by_role("button", name="Get updates")
    opener.click()
    dialog = page.get_by_role("dialog", name="Get updates")
    expect(dialog).to_be_visible()
    for _ in range(8):  # Tab never leaves the dialog
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('[role=dialog]') !== null")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused(timeout=WAIT_MS)  # focus returns where it was
