"""Atom/RSS history, the maintenance calendar and SVG badges."""
import xml.etree.ElementTree as ET
from datetime import timedelta

from statuspage.public.ical import _fold
from tests.conftest import make_component, make_incident
from tests.public.builders import make_maintenance

ATOM = "{http://www.w3.org/2005/Atom}"


def test_atom_one_entry_per_incident_with_its_update_trail(client, api):
    incident = make_incident(api, title="Login errors", summary="Investigating <b>now</b>.")
    api.post(f"/api/incidents/{incident['id']}/updates", json={"body": "Fix deployed."})
    api.post(f"/api/incidents/{incident['id']}/updates", json={"body": "internal only", "visibility": "internal"})
    make_incident(api, title="Hidden", visibility="internal")
    response = client.get("/history.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.find(f"{ATOM}title").text == "Acme Cloud Status - Incident History"
    assert feed.find(f"{ATOM}id").text == "tag:status.test,2005:/history"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Login errors"]
    entry = entries[0]
    assert entry.find(f"{ATOM}id").text == f"tag:status.test,2005:Incident/{incident['id']}"
    assert entry.find(f"{ATOM}link").get("href") == f"http://status.test/status/incidents/{incident['id']}"
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html"
    # the HTML is text inside the XML: the update body itself is escaped once more
    assert "<strong>Investigating</strong></p><p>Investigating &lt;b&gt;now&lt;/b&gt;.</p>" in content.text, content.text
    assert content.text.index("Fix deployed.") < content.text.index("Investigating &lt;b&gt;")
    assert "internal only" not in content.text


def test_rss(client, api):
    incident = make_incident(api, title="Queue backlog")
    response = client.get("/history.rss")
    assert response.mimetype == "application/rss+xml"
    channel = ET.fromstring(response.data).find("channel")
    item = channel.find("item")
    assert item.find("title").text == "Queue backlog"
    assert item.find("guid").text == f"http://status.test/status/incidents/{incident['id']}"
    assert item.find("pubDate").text.endswith("+0000")
    assert "<strong>Investigating</strong>" in item.find("description").text


def test_empty_feeds_are_valid(client):
    assert ET.fromstring(client.get("/history.atom").data).findall(f"{ATOM}entry") == []
    assert ET.fromstring(client.get("/history.rss").data).find("channel/item") is None


def test_maintenance_calendar(client, api):
    api_c = make_component(api, "API")
    web = make_component(api, "Web")
    m = make_maintenance("DB; upgrade, phase 1", component_ids=[api_c["id"]], description="Line one\nLine two " + "x" * 80)
    make_maintenance("Web only", component_ids=[web["id"]], starts_in=timedelta(days=3))
    response = client.get("/status/maintenance.ics")
    assert response.mimetype == "text/calendar"
    text = response.get_data(as_text=True)
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:DB\\; upgrade\\, phase 1\r\n" in unfolded
    assert "DESCRIPTION:Line one\\nLine two " in unfolded and "Affected: API" in unfolded
    assert f"UID:maintenance-{m.id}@status.test" in unfolded
    assert m.starts_at.strftime("DTSTART:%Y%m%dT%H%M%SZ") in unfolded
    assert unfolded.count("BEGIN:VEVENT") == 2
    only_web = client.get(f"/status/maintenance.ics?component={web['id']}").get_data(as_text=True)
    assert "Web only" in only_web and "DB\\; upgrade" not in only_web


def test_calendar_bad_component_filter(client):
    response = client.get("/status/maintenance.ics?component=abc")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert client.get("/status/maintenance.ics?component=4242").status_code == 404


def test_fold_counts_octets_not_characters():
    line = "SUMMARY:" + "é" * 60
    folded = _fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_badges(client, api):
    comp = make_component(api, "API", status="partial_outage")
    page = client.get("/status/badge.svg")
    assert page.mimetype == "image/svg+xml"
    svg = ET.fromstring(page.data)
    assert svg.get("aria-label") == "status: partial system outage"
    one = client.get(f"/status/components/{comp['id']}/badge.svg")
    assert ET.fromstring(one.data).get("aria-label") == "API: partial outage"
    missing = client.get("/status/components/999/badge.svg")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


def test_feed_items_render_markdown(client, api):
    make_incident(api, title="Queue backlog", summary="Returned **HTTP 503**.")
    for path, find in (("/history.rss", lambda root: root.find("channel/item/description").text),
                       ("/history.atom", lambda root: root.find(f"{ATOM}entry/{ATOM}content").text)):
        text = find(ET.fromstring(client.get(path).data))
        assert "<strong>HTTP 503</strong>" in text, path
        assert "**" not in text, path


def test_calendar_escapes_a_bare_carriage_return(client):
    make_maintenance(title="Upgrade", description="First line\rX-INJECTED:1\r\nSecond\nThird")
    body = client.get("/status/maintenance.ics").get_data(as_text=True)
    assert "\r" not in body.replace("\r\n", "")  # every line ends in CRLF; no CR of its own
    assert "\nX-INJECTED" not in body
    assert "First line\\nX-INJECTED:1\\nSecond\\nThird" in body.replace("\r\n ", "")
