"""Response-time charts in a real Chromium: drawn with JavaScript off, no CSP violations,
no serious axe findings."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from statuspage.extensions import db
from statuspage.models import Monitor, MonitorResult
from tests.browser.conftest import serious_axe_findings
from tests.conftest import make_component

pytestmark = pytest.mark.browser


@pytest.fixture
def public_monitor(api):
    component = make_component(api, "Checkout")
    now = datetime.now(timezone.utc)
    monitor = Monitor(name="Checkout probe", kind="http", url="http://a.test/", interval_seconds=60,
                      timeout_seconds=5, next_check_at=now, public_metric=True,
                      component_id=component["id"], expected_status=[])
    db.session.add(monitor)
    db.session.flush()
    db.session.add_all(MonitorResult(monitor_id=monitor.id, checked_at=now - timedelta(minutes=n),
                                     ok=True, response_ms=80.0 + n % 40) for n in range(1, 300))
    db.session.commit()
    return monitor


def test_the_chart_works_without_javascript(live_server, watched, public_monitor):
    watch = watched(java_script_enabled=False)
    page = watch.page
    page.goto(live_server.url + "/status")
    link = page.get_by_role("link", name="Response times: Checkout probe")
    assert link.count() == 1
    image = page.locator("img[src$='.svg']")
    assert image.evaluate("img => img.complete && img.naturalWidth") > 0  # the SVG loaded and drew
    link.click()
    page.wait_for_load_state("load")
    assert page.locator("svg.response-chart-svg polyline").count() == 1
    caption = page.inner_text("figcaption.chart-summary")
    assert caption.startswith("Checkout probe over the last 24 hours: average response time")
    assert "100.00% of checks succeeded (299 checks)" in caption
    page.get_by_role("link", name="the last 7 days").click()
    assert "over the last 7 days" in page.inner_text("figcaption.chart-summary")


def test_the_chart_page_has_no_csp_violations_or_serious_axe_findings(live_server, watched, public_monitor):
    path = f"/status/metrics/{public_monitor.id}"
    watch = watched()
    watch.page.goto(live_server.url + path)
    watch.page.wait_for_load_state("networkidle")
    assert watch.errors == [] and watch.csp_violations() == []
    assert serious_axe_findings(watch.page) == []
