"""Public page defects and the banner, each reproduced in a real Chromium first."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.conftest import make_component, make_incident
from tests.public.builders import make_maintenance, make_postmortem

pytestmark = pytest.mark.browser

WAIT_MS = 20_000  # generous: the machine is shared; this is not a speed assertion
MARKDOWN = "Check **bold** and [a link](https://example.com/x)."


def _stream_open(page):
    expect(page.locator("main[data-stream='open']")).to_have_count(1, timeout=WAIT_MS)


def test_live_incident_cards_render_markdown(live_server, watched, api):
    api_comp = make_component(api, "API")
    incident = make_incident(api, title="Slow API", severity="SEV2", summary=MARKDOWN,
                             components=[{"id": api_comp["id"], "status": "degraded_performance"}])
    page = watched().page
    page.goto(live_server.url + "/status")
    _stream_open(page)
    card = page.locator("article.incident", has_text="Slow API")
    expect(card.locator("strong")).to_have_text("bold")
    expect(card.locator("a[href='https://example.com/x']")).to_have_text("a link")
    assert "**" not in card.inner_text()
    # An update arriving over the stream renders its Markdown too.
    api.post(f"/api/incidents/{incident['id']}/updates", json={"body": "Now *better*."})
    expect(card.locator("em")).to_have_text("better", timeout=WAIT_MS)
    assert "*" not in card.inner_text()


def test_live_banner_keeps_maintenance_in_progress(live_server, watched, api):
    db_comp = make_component(api, "Database")
    make_maintenance("Storage migration", status="in_progress", starts_in=timedelta(minutes=-5),
                     component_ids=[db_comp["id"]])
    page = watched().page
    page.goto(live_server.url + "/status")
    _stream_open(page)
    expect(page.locator(".banner")).to_contain_text("Maintenance in progress")
    expect(page.locator(".banner")).to_contain_text("Storage migration")


def test_banner_is_one_sentence_naming_the_worst_component_and_linking_the_incident(live_server, watched, api):
    a = make_component(api, "API")
    make_component(api, "Web")
    c = make_component(api, "CDN")
    incident = make_incident(api, title="Elevated errors", severity="SEV2",
                             components=[{"id": a["id"], "status": "major_outage"},
                                         {"id": c["id"], "status": "degraded_performance"}])
    for js in (False, True):
        page = watched(java_script_enabled=js).page
        page.goto(live_server.url + "/status")
        if js:
            _stream_open(page)
        sentence = page.locator(".banner .banner-sentence")
        expect(sentence).to_have_count(1)
        expect(sentence).to_contain_text("API")
        assert "CDN" not in sentence.inner_text()  # the worst only
        link = sentence.locator("a")
        expect(link).to_have_attribute("href", f"/status/incidents/{incident['id']}")
        assert page.locator(".banner li").count() == 0  # no bullet list repeating the cards


def test_customers_see_impact_words_not_severity_labels(live_server, watched, api):
    make_component(api, "API")
    make_incident(api, title="Elevated errors", severity="SEV1")
    for js in (False, True):
        page = watched(java_script_enabled=js).page
        page.goto(live_server.url + "/status")
        if js:
            _stream_open(page)
        card = page.locator("article.incident", has_text="Elevated errors")
        expect(card).to_contain_text("Critical impact")
        assert "SEV" not in page.inner_text("main")


def test_public_incident_page_updates_live_and_drops_subscribe_when_resolved(live_server, watched, api):
    make_component(api, "API")
    incident = make_incident(api, title="Elevated errors", severity="SEV2")
    page = watched().page
    page.goto(live_server.url + f"/status/incidents/{incident['id']}")
    _stream_open(page)
    page.evaluate("window.__sameDocument = true")
    status = page.locator(".incident-page .meta .incident-status")
    expect(status).to_have_text("Investigating")
    for to, text in (("identified", "Identified"), ("monitoring", "Monitoring")):
        api.post(f"/api/incidents/{incident['id']}/transition", json={"to": to, "message": f"Now **{to}**."})
        expect(status).to_have_text(text, timeout=WAIT_MS)
    expect(page.locator(".timeline strong", has_text="monitoring")).to_be_visible()
    api.post(f"/api/incidents/{incident['id']}/transition", json={"to": "resolved", "message": "Fixed."})
    expect(status).to_have_text("Resolved", timeout=WAIT_MS)
    expect(page.get_by_text("Subscribe to this incident")).to_have_count(0)
    assert page.evaluate("window.__sameDocument") is True
    # Without JavaScript a resolved incident offers no subscription either.
    plain = watched(java_script_enabled=False).page
    plain.goto(live_server.url + f"/status/incidents/{incident['id']}")
    assert "Subscribe to this incident" not in plain.inner_text("main")


def test_public_postmortem_page_updates_live(live_server, watched, api):
    incident = make_incident(api, title="Old outage", severity="SEV2")
    api.post(f"/api/incidents/{incident['id']}/transition", json={"to": "resolved", "message": "Fixed."})
    make_postmortem(incident["id"])
    page = watched().page
    page.goto(live_server.url + f"/status/incidents/{incident['id']}/postmortem")
    _stream_open(page)
    page.evaluate("window.__sameDocument = true")
    status = page.locator(".postmortem .meta .incident-status")
    expect(status).to_have_text("Resolved")
    api.post(f"/api/incidents/{incident['id']}/transition", json={"to": "investigating", "message": "Back."})
    expect(status).to_have_text("Investigating", timeout=WAIT_MS)
    assert page.evaluate("window.__sameDocument") is True


def test_embed_is_a_styled_compact_card(live_server, watched, api):
    make_component(api, "API")
    make_incident(api, title="Elevated errors", severity="SEV1")
    page = watched(viewport={"width": 320, "height": 180}).page
    page.goto(live_server.url + "/status/embed")
    dot = page.evaluate("getComputedStyle(document.querySelector('.dot')).backgroundColor")
    assert dot not in ("rgba(0, 0, 0, 0)", "transparent")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert page.evaluate("document.documentElement.scrollHeight") <= 180
    expect(page.locator(".embed")).to_contain_text("Critical impact")
    assert "SEV" not in page.inner_text("body")


def test_components_sit_beside_the_banner_on_desktop_and_right_after_it_on_a_phone(live_server, watched, api):
    for n in range(8):
        make_component(api, f"Component {n}")
    for n in range(3):
        make_incident(api, title=f"Incident {n}", severity="SEV3", summary="Looking into it. " * 8)
    desk = watched(viewport={"width": 1280, "height": 900}).page
    desk.goto(live_server.url + "/status")
    banner = desk.locator(".banner").bounding_box()
    comps = desk.locator("#components").bounding_box()
    assert comps["y"] < 900 and comps["x"] > banner["x"] + banner["width"] - 1  # beside, in the first screen
    phone = watched(viewport={"width": 390, "height": 844}).page
    phone.goto(live_server.url + "/status")
    banner = phone.locator(".banner").bounding_box()
    comps = phone.locator("#components").bounding_box()
    incidents = phone.locator("#incidents").bounding_box()
    assert banner["y"] + banner["height"] <= comps["y"] < incidents["y"]


def test_uptime_bars_have_a_legend_a_date_axis_and_tap_details_with_30_days_on_a_phone(live_server, watched, api):
    make_component(api, "API")
    phone = watched(viewport={"width": 390, "height": 844}, has_touch=True).page
    phone.goto(live_server.url + "/status")
    expect(phone.locator(".uptime-legend")).to_contain_text("Major outage")
    expect(phone.locator(".uptime-legend")).to_contain_text("No data")
    assert phone.locator(".component .bar li:visible").count() == 30
    axis = phone.locator(".component .bar-axis").first.inner_text()
    assert "30 days ago" in axis and "Today" in axis and "90" not in axis
    phone.locator(".component .bar li:visible").last.tap()
    expect(phone.locator(".component .day-detail").first).to_contain_text("uptime", timeout=WAIT_MS)
    desk = watched(viewport={"width": 1280, "height": 900}).page
    desk.goto(live_server.url + "/status")
    assert desk.locator(".component .bar li:visible").count() == 90
    assert "90 days ago" in desk.locator(".component .bar-axis").first.inner_text()


def test_history_pages_through_incidents_and_maintenance(live_server, watched, api):
    for n in range(21):
        make_incident(api, title=f"Incident {n:02d}", severity="SEV4")
    make_maintenance("Old upgrade", status="completed", starts_in=timedelta(days=-40))
    page = watched().page
    page.goto(live_server.url + "/status/history")
    expect(page.locator("article")).to_have_count(20)
    page.get_by_role("link", name="Older →").click()
    expect(page.locator("article.maintenance")).to_contain_text("Old upgrade")
    expect(page.locator(".pager-label")).to_have_text("Page 2 of 2")
