"""The settings screen in a real Chromium: brand the page, see it on the public page."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.admin.conftest import PASSWORD
from tests.browser.admin_helpers import WAIT_MS, sign_in
from tests.conftest import make_user

pytestmark = pytest.mark.browser

LOGO = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10" onload="alert(1)">'
        b'<rect width="40" height="10" fill="#7c3aed"/></svg>')


def test_admin_brands_the_public_page(live_server, watched, tmp_path):
    logo = tmp_path / "logo.svg"
    logo.write_bytes(LOGO)
    watch = watched()
    page = watch.page
    sign_in(page, live_server.url, make_user("admin", password=PASSWORD), "/admin/settings")
    page.get_by_label("Page name").fill("Globex")
    page.get_by_label("Accent colour").fill("#2dd4bf")  # too light on the light background
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("alert")).to_contain_text("not valid", timeout=WAIT_MS)
    expect(page.locator(".error-list")).to_contain_text("light background")
    watch.errors.clear()  # the browser logs the expected 422
    page.go_back()
    page.get_by_label("Page name").fill("Globex")
    page.get_by_label("Accent colour").fill("#7c3aed")
    page.get_by_label("Time zone").fill("Europe/Berlin")
    page.get_by_label("Link 1 text").fill("Docs")
    page.get_by_label("Link 1 URL").fill("https://docs.example.com/")
    page.get_by_label("Announcement").fill("Planned **migration** on Friday.")
    page.locator("#s-logo").set_input_files(str(logo))
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_label("Page name")).to_have_value("Globex", timeout=WAIT_MS)
    expect(page.get_by_alt_text("Current logo")).to_be_visible()
    public = watched().page
    public.goto(live_server.url + "/status")
    expect(public.get_by_role("img", name="Globex")).to_be_visible()
    expect(public.locator(".announcement strong")).to_have_text("migration")
    expect(public.get_by_role("link", name="Docs")).to_have_attribute("href", "https://docs.example.com/")
    expect(public.locator("footer")).to_contain_text("Europe/Berlin")
    assert public.evaluate("getComputedStyle(document.querySelector('.site-header')).borderTopColor") == "rgb(124, 58, 237)"
    assert public.title().endswith("Globex")
    assert watch.errors == [] and watch.csp_violations() == []
