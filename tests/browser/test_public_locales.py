"""The localised public and subscription pages in a real Chromium: the browser's language
chooses the page's, and axe finds nothing serious in any of them."""
from __future__ import annotations

import pytest

from statuspage.domain.locales import LOCALES
from tests.browser.conftest import serious_axe_findings
from tests.browser.test_public_browser import _pages, showcase  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

@pytest.mark.parametrize("locale", [code for code in LOCALES if code != "en"])
def test_localised_pages_pass_axe(live_server, watched, showcase, app, locale):  # noqa: F811
    tag = locale.replace("_", "-")
    watch = watched(locale=tag)
    for path in _pages(showcase, app):
        watch.page.goto(live_server.url + path)
        watch.page.wait_for_load_state("load")
        assert watch.page.evaluate("document.documentElement.lang") == tag, path
        assert watch.errors == [], (path, watch.errors)
        assert watch.csp_violations() == [], path
        assert serious_axe_findings(watch.page) == [], (path, locale)
    # The language links switch the page (and remember the choice).
    watch.page.goto(live_server.url + "/status")
    watch.page.locator("footer a[hreflang='ja']").click()
    watch.page.wait_for_load_state("load")
    assert watch.page.evaluate("document.documentElement.lang") == "ja"
    watch.page.goto(live_server.url + "/status/history")
    assert watch.page.evaluate("document.documentElement.lang") == "ja"
