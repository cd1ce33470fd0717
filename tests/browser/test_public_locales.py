"""The localised public and subscription pages in a real Chromium: the browser's language
chooses the page's, and axe finds nothing serious in any of them."""
from __future__ import annotations

import pytest

from statuspage.domain.locales import LOCALES
from tests.browser.conftest import AXE
from tests.browser.test_public_browser import _pages, showcase  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

AXE_RUN = ("axe.run().then(r => r.violations.filter(v => ['serious', 'critical'].includes(v.impact))"
           ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))})))")


@pytest.mark.parametrize("locale", [code for code in LOCALES if code != "en"])
def test_localised_pages_pass_axe(live_server, watched, showcase, app, locale):  # noqa: F811
    tag = locale.replace("_", "-")
    watch = watched(locale=tag)
    audit = watched(locale=tag, bypass_csp=True).page  # axe runs as an injected script
    for path in _pages(showcase, app):
        watch.page.goto(live_server.url + path)
        watch.page.wait_for_load_state("load")
        assert watch.page.evaluate("document.documentElement.lang") == tag, path
        assert watch.errors == [], (path, watch.errors)
        assert watch.csp_violations() == [], path
        audit.goto(live_server.url + path)
        audit.add_script_tag(path=str(AXE))
        assert audit.evaluate(AXE_RUN) == [], (path, locale)
    # The language links switch the page (and remember the choice).
    watch.page.goto(live_server.url + "/status")
    watch.page.locator("footer a[hreflang='ja']").click()
    watch.page.wait_for_load_state("load")
    assert watch.page.evaluate("document.documentElement.lang") == "ja"
    watch.page.goto(live_server.url + "/status/history")
    assert watch.page.evaluate("document.documentElement.lang") == "ja"
