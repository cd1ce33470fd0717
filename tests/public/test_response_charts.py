"""Public response-time charts: server-rendered SVG with a text summary, no JavaScript needed."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from statuspage.extensions import db
from statuspage.models import Monitor, MonitorResult
from tests.conftest import make_component


def _public_monitor(component_id, public=True) -> Monitor:
    monitor = Monitor(name="Edge probe", kind="http", url="http://a.test/", interval_seconds=60,
                      timeout_seconds=5, next_check_at=datetime.now(timezone.utc),
                      public_metric=public, component_id=component_id, expected_status=[])
    db.session.add(monitor)
    db.session.flush()
    now = datetime.now(timezone.utc)
    db.session.add_all(MonitorResult(monitor_id=monitor.id, checked_at=now - timedelta(minutes=n),
                                     ok=n != 5, response_ms=120.0 if n != 5 else None,
                                     failures=int(n == 5)) for n in range(1, 60))
    db.session.commit()
    return monitor


def test_status_page_links_the_chart_and_the_page_draws_it(api, anon):
    component = make_component(api, name="Edge")
    monitor = _public_monitor(component["id"])
    page = anon.get("/status").get_data(as_text=True)
    assert f'/status/metrics/{monitor.id}.svg' in page and "Response times: Edge probe" in page
    response = anon.get(f"/status/metrics/{monitor.id}?window=24h")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<svg" in html and "<polyline" in html
    summary = ("Edge probe over the last 24 hours: average response time 120 ms, slowest period "
               "120 ms; 98.31% of checks succeeded (59 checks).")
    assert f"<figcaption class=\"chart-summary\">{summary}</figcaption>" in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert 'aria-current="page"' in html and "?window=7d" in html
    svg = anon.get(f"/status/metrics/{monitor.id}.svg?window=7d")
    assert svg.mimetype == "image/svg+xml" and "<title id=\"t\">Edge probe over the last 7 days" in \
        svg.get_data(as_text=True)


def test_private_monitors_have_no_public_chart(api, anon):
    component = make_component(api, name="Edge")
    monitor = _public_monitor(component["id"], public=False)
    assert "/status/metrics/" not in anon.get("/status").get_data(as_text=True)
    assert anon.get(f"/status/metrics/{monitor.id}").status_code == 404
    assert anon.get(f"/status/metrics/{monitor.id}.svg").status_code == 404
    assert anon.get(f"/status/metrics/{monitor.id}?window=1y").status_code in (400, 404)
