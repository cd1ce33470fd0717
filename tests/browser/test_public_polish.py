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
