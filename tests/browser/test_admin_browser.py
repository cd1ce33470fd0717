"""The console in a real Chromium against a real server: keyboard flows, lifecycle, live updates."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from statuspage.extensions import db
from statuspage.models import Incident
from tests.browser.admin_helpers import WAIT_MS, sign_in, stream_open, submit, tab_to
from tests.conftest import make_component, make_incident, make_user
from tests.admin.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _user(role="responder"):
    return make_user(role, password=PASSWORD)


def test_sign_in_rejects_a_wrong_password_then_accepts_the_right_one(live_server, watched):
    user = _user()
    page = watched().page
    page.goto(live_server.url + "/admin/incidents")
    expect(page).to_have_url(re.compile(r"/admin/login\?next="))
    page.fill("#email", user.email)
    page.fill("#password", "not-the-password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_have_text("The email address or password is not correct.")
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + "/admin/incidents", timeout=WAIT_MS)
    expect(page.get_by_role("navigation", name="Console")).to_be_visible()


def test_create_incident_through_the_dialog_with_the_keyboard_only(live_server, watched, api):
    make_component(api, "API")
    user = _user()
    watch = watched()
    page = watch.page
    sign_in(page, live_server.url, user)
    page.keyboard.press("c")
    dialog = page.get_by_role("dialog", name="Create incident")
    expect(dialog).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "m-title"
    page.keyboard.type("Checkout is failing")
    page.keyboard.press("Tab")
    page.keyboard.type("SEV1")  # typeahead on the focused select
    tab_to(page, "Declare incident")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/admin/incidents/\d+$"), timeout=WAIT_MS)
    expect(page.locator("#incident-title")).to_have_text("Checkout is failing")
    db.session.expire_all()
    incident = db.session.scalars(select(Incident)).one()
    assert (incident.title, incident.severity) == ("Checkout is failing", "SEV1")
    assert watch.errors == [] and watch.csp_violations() == []


def test_dialog_traps_focus_closes_with_escape_and_returns_focus(live_server, watched):
    page = watched().page
    sign_in(page, live_server.url, _user())
    button = page.get_by_role("link", name="Create incident")
    button.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Create incident")
    expect(dialog).to_be_visible()
    assert dialog.get_attribute("aria-modal") == "true"
    for _ in range(15):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('[role=dialog]') !== null")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert page.evaluate("document.activeElement.id") == "create-incident-button"
    # "/" focuses the search box; "?" lists the shortcuts.
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "top-search"
    page.keyboard.press("Escape")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("?")
    help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("Create an incident")
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()


def test_template_picker_fills_the_dialog(live_server, watched, api):
    api.post("/api/templates", json={"name": "DB slow", "title": "Database slow", "severity": "SEV3"})
    page = watched().page
    sign_in(page, live_server.url, _user())
    page.keyboard.press("c")
    page.select_option("#m-template", label="DB slow")
    expect(page.locator("#m-title")).to_have_value("Database slow")
    expect(page.locator("#m-severity")).to_have_value("SEV3")


def test_lifecycle_updates_postmortem_action_item_and_export(live_server, watched, api):
    incident = make_incident(api, title="Disk full", severity="SEV2")
    page = watched().page
    sign_in(page, live_server.url, _user(), f"/admin/incidents/{incident['id']}")
    page.fill("#update-body", "We found the **cause**.")
    submit(page, page.get_by_role("button", name="Post update"))
    expect(page.locator("#timeline")).to_contain_text("We found the cause.")
    page.fill("#update-body", "Paging the storage team.")
    page.get_by_label("Internal note").check()
    submit(page, page.get_by_role("button", name="Post update"))
    expect(page.locator("#timeline .entry.internal")).to_contain_text("Paging the storage team.")
    for status in ("Identified", "Monitoring", "Resolved"):
        page.locator("#composer").get_by_role("radio", name=status).check()
        submit(page, page.get_by_role("button", name="Post update"))
        expect(page.locator("#incident-head .badge")).to_have_text(status, timeout=WAIT_MS)
    expect(page.locator("#composer").get_by_role("radio", name="Investigating")).to_be_visible()  # reopen
    page.fill("#pm-summary", "The disk **filled up**.")
    page.locator("#pm-summary").locator("xpath=..").get_by_role("button", name="Preview").click()
    expect(page.locator("#pm-summary-preview strong")).to_have_text("filled up")
    hide = page.locator("#pm-summary").locator("xpath=..").get_by_role("button", name="Hide preview")
    expect(hide).to_be_visible()  # the script's words, from the page's words block
    page.fill("#pm-root_cause", "Log rotation was off.")
    submit(page, page.get_by_role("button", name="Start postmortem"))
    expect(page.locator("#pm-status")).to_have_text("Draft", timeout=WAIT_MS)
    page.fill("#ai-new-title", "Alert on disk usage")
    page.fill("#ai-new-owner", "sre")
    submit(page, page.get_by_role("button", name="Add", exact=True))
    expect(page.locator("input[value='Alert on disk usage']")).to_be_visible(timeout=WAIT_MS)
    submit(page, page.get_by_role("button", name="Publish postmortem"))
    expect(page.locator("#pm-status")).to_have_text("Published", timeout=WAIT_MS)
    with page.expect_download() as info:
        page.get_by_role("link", name="Export Markdown").click()
    download = info.value
    assert download.suggested_filename == f"incident-{incident['id']}-postmortem.md"
    from pathlib import Path
    text = Path(download.path()).read_text(encoding="utf-8")
    assert "The disk **filled up**." in text and "Alert on disk usage" in text and "[internal]" in text


def test_two_browsers_see_each_others_changes_live(live_server, watched, api):
    incident = make_incident(api, title="Shared incident")
    first, second = watched().page, watched().page
    sign_in(first, live_server.url, _user())
    sign_in(second, live_server.url, _user(), f"/admin/incidents/{incident['id']}")
    stream_open(first)
    stream_open(second)
    first.evaluate("window.__sameDocument = true")
    second.evaluate("window.__sameDocument = true")
    # Browser 2 posts an update; browser 1's list (analytics, table) and toast follow.
    second.fill("#update-body", "Rolling back the deploy.")
    second.get_by_role("button", name="Post update").click()
    expect(second.locator("#timeline")).to_contain_text("Rolling back the deploy.")
    expect(first.locator(".toast")).to_have_text("New incident update received", timeout=WAIT_MS)
    # Browser 1 declares an incident; it appears in its own list and browser 2 hears of it.
    first.keyboard.press("c")
    first.fill("#m-title", "Second incident")
    first.select_option("#m-severity", "SEV3")
    first.get_by_role("button", name="Declare incident").click()
    first.wait_for_url(re.compile(r"/admin/incidents/\d+$"), timeout=WAIT_MS)
    expect(second.locator(".toast")).to_have_text("New incident update received", timeout=WAIT_MS)
    # Browser 1 goes back to the shared incident; browser 2 resolves it; 1 updates in place.
    first.goto(f"{live_server.url}/admin/incidents/{incident['id']}")
    stream_open(first)
    first.evaluate("window.__sameDocument = true")
    first.fill("#update-body", "Half-typed note")
    second.locator("#composer").get_by_role("radio", name="Resolved").check()
    second.get_by_role("button", name="Post update").click()
    expect(first.locator("#incident-head .badge")).to_have_text("Resolved", timeout=WAIT_MS)
    expect(first.locator("#composer-status input[value=resolved]")).to_be_checked()
    expect(first.locator("#update-body")).to_have_value("Half-typed note")  # typing survives the refresh
    assert first.evaluate("window.__sameDocument") is True


def test_list_updates_in_place(live_server, watched, api):
    page = watched().page
    sign_in(page, live_server.url, _user("viewer"))
    stream_open(page)
    page.evaluate("window.__sameDocument = true")
    make_incident(api, title="Appeared by itself", severity="SEV1")
    expect(page.locator("#incident-table")).to_contain_text("Appeared by itself", timeout=WAIT_MS)
    expect(page.locator("#stat-active")).to_have_text("1")
    assert page.evaluate("window.__sameDocument") is True
    expect(page.locator("#incident-table time.rel").first).to_have_text("just now")


def test_a_form_post_without_csrf_token_is_refused(live_server, watched):
    page = watched().page
    sign_in(page, live_server.url, _user())
    # A forged cross-site style form: right cookie, no token.
    with page.expect_navigation() as navigation:
        page.evaluate("""() => {
            const form = document.createElement('form');
            form.method = 'post'; form.action = '/admin/incidents/new';
            for (const [k, v] of [['title', 'Forged'], ['severity', 'SEV1']]) {
                const input = document.createElement('input'); input.name = k; input.value = v;
                form.appendChild(input);
            }
            document.body.appendChild(form); form.submit();
        }""")
    assert navigation.value.status == 400
    expect(page.locator("body")).to_contain_text("CSRF")
    response = page.request.post(live_server.url + "/admin/incidents/new",
                                 form={"title": "Forged", "severity": "SEV1"})
    assert response.status == 400
    db.session.expire_all()
    assert db.session.scalars(select(Incident)).all() == []


def test_a_viewer_cannot_write(live_server, watched, api):
    incident = make_incident(api, title="Read only")
    page = watched().page
    sign_in(page, live_server.url, _user("viewer"), f"/admin/incidents/{incident['id']}")
    expect(page.get_by_role("link", name="Create incident")).to_have_count(0)
    expect(page.locator("form[action*='/compose'], textarea")).to_have_count(0)
    page.keyboard.press("c")
    expect(page.get_by_role("dialog")).to_have_count(0)
    token = page.locator("meta[name=csrf-token]").get_attribute("content")
    refused = page.request.post(f"{live_server.url}/admin/incidents/{incident['id']}/compose",
                                form={"status": "resolved", "csrf_token": token})
    assert refused.status == 403
    api_refused = page.request.post(f"{live_server.url}/api/incidents/{incident['id']}/transition",
                                    data={"to": "resolved"}, headers={"X-CSRFToken": token})
    assert api_refused.status == 403
    db.session.expire_all()
    assert db.session.get(Incident, incident["id"]).status == "investigating"


def test_filters_apply_on_change_and_stay_in_the_url(live_server, watched, api):
    make_incident(api, title="Loud one", severity="SEV1", tags=["api"])
    make_incident(api, title="Quiet one", severity="SEV4")
    page = watched().page
    sign_in(page, live_server.url, _user("viewer"))
    page.select_option("#filter-severity", "SEV4")
    page.wait_for_url(re.compile(r"severity=SEV4"), timeout=WAIT_MS)
    expect(page.locator("#incident-table")).to_contain_text("Quiet one")
    expect(page.locator("#incident-table")).not_to_contain_text("Loud one")
    page.keyboard.press("/")
    page.keyboard.type("loud")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=loud"), timeout=WAIT_MS)
    expect(page.locator("#incident-table")).to_contain_text("Loud one")
