"""The public HTML pages, complete without JavaScript."""
import re
from datetime import datetime, timedelta, timezone

import pytest

from statuspage.extensions import db
from statuspage.models import Incident, utcnow
from tests.conftest import make_component, make_incident
from tests.public.builders import make_maintenance, make_postmortem


@pytest.fixture
def page_timezone(app):
    previous = app.config["PAGE_TIMEZONE"]
    yield lambda name: app.config.update(PAGE_TIMEZONE=name)
    app.config["PAGE_TIMEZONE"] = previous


def html(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, response.data[:500]
    return response.get_data(as_text=True)


def test_root_redirects_to_status(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/status")


def test_all_green_page(client, api):
    make_component(api, "API")
    page = html(client, "/status")
    assert "All Systems Operational" in page
    assert "No active incidents." in page
    assert 'class="skip-link" href="#main"' in page
    assert "<main" in page and "<header" in page and "<footer" in page
    assert "100.00% uptime (30 days)" in page


def test_outage_banner_explains_why_and_lists_the_incident(client, api):
    comp = make_component(api, "Checkout")
    incident = make_incident(api, title="Payments failing", severity="SEV1",
                             summary="Card payments **fail**.", components=[{"id": comp["id"], "status": "major_outage"}],
                             next_update_at="2030-01-01T10:00:00Z")
    page = html(client, "/status")
    assert "Major System Outage" in page
    assert (f'Checkout is experiencing a major outage: <a href="/status/incidents/{incident["id"]}">'
            "Payments failing</a>.") in page
    assert f'href="/status/incidents/{incident["id"]}"' in page
    assert "Card payments <strong>fail</strong>." in page
    assert "Next update by" in page and "1 Jan 2030, 10:00 UTC" in page
    assert 'data-severity="SEV1"' in page
    # status in words, not only colour
    assert ">Major outage</span>" in page


def test_internal_incidents_and_updates_stay_private(client, api):
    comp = make_component(api, "API")
    make_incident(api, title="Internal drill", visibility="internal")
    public = make_incident(api, title="Public issue", components=[{"id": comp["id"], "status": "degraded_performance"}])
    api.post(f"/api/incidents/{public['id']}/updates", json={"body": "secret note", "visibility": "internal"})
    page = html(client, "/status")
    assert "Internal drill" not in page and "secret note" not in page
    assert "Public issue" in page
    internal_id = db.session.scalar(db.select(Incident.id).where(Incident.title == "Internal drill"))
    assert "does not exist" in html(client, f"/status/incidents/{internal_id}", 404)
    assert "secret note" not in html(client, f"/status/incidents/{public['id']}")


def test_groups_collapse_and_open_when_a_member_is_not_operational(client, api):
    calm = api.post("/api/component-groups", json={"name": "Storage"}).json
    busy = api.post("/api/component-groups", json={"name": "Compute"}).json
    make_component(api, "S3", group_id=calm["id"])
    make_component(api, "VMs", group_id=busy["id"], status="partial_outage")
    page = html(client, "/status")
    storage = re.search(r'<details class="group" (open)?[^>]*>\s*<summary><span class="group-name">Storage', page)
    compute = re.search(r'<details class="group" (open)?[^>]*>\s*<summary><span class="group-name">Compute', page)
    assert storage and storage.group(1) is None
    assert compute and compute.group(1) == "open"


def test_maintenance_in_progress_and_upcoming(client, api):
    comp = make_component(api, "API")
    make_maintenance("Network work", status="in_progress", starts_in=timedelta(hours=-1), component_ids=[comp["id"]])
    make_maintenance("Disk swap", starts_in=timedelta(days=2))
    make_maintenance("Old window", status="completed", starts_in=timedelta(days=-5))
    page = html(client, "/status")
    assert "Network work" in page and "In progress" in page and "Affects: API" in page
    assert "Disk swap" in page and "Scheduled" in page
    assert "Old window" not in page
    assert "Maintenance in progress: Network work" in page


def test_history_last_14_days(client, api):
    make_incident(api, title="Yesterday's blip")
    old = make_incident(api, title="Ancient")
    api.post(f"/api/incidents/{old['id']}/transition", json={"to": "resolved"})
    db.session.get(Incident, old["id"]).created_at = utcnow() - timedelta(days=20)
    db.session.commit()
    page = html(client, "/status")
    past = page[page.index('id="past-title"'):]
    assert "Yesterday&#39;s blip" in past
    assert "Ancient" not in page
    assert page.count('class="day-title"') == 14
    assert "No incidents reported." in page


def test_incident_page_timeline_components_and_postmortem_link(client, api):
    comp = make_component(api, "API")
    incident = make_incident(api, title="Slow API", summary="Looking.", components=[{"id": comp["id"], "status": "degraded_performance"}])
    api.post(f"/api/incidents/{incident['id']}/transition", json={"to": "resolved", "message": "Fixed <script>alert(1)</script>"})
    page = html(client, f"/status/incidents/{incident['id']}")
    assert "<h1>Slow API</h1>" in page
    assert "Affected components" in page and "API" in page
    assert "Fixed" in page and "<script>alert" not in page
    assert page.index("Resolved") < page.index("Investigating")  # newest first
    assert "Read the postmortem" not in page
    make_postmortem(incident["id"])
    page = html(client, f"/status/incidents/{incident['id']}")
    assert f'href="/status/incidents/{incident["id"]}/postmortem"' in page


def test_postmortem_page_only_when_published(client, api):
    incident = make_incident(api, title="Outage")
    html(client, f"/status/incidents/{incident['id']}/postmortem", 404)
    make_postmortem(incident["id"], status="draft")
    html(client, f"/status/incidents/{incident['id']}/postmortem", 404)
    db.session.execute(db.text("DELETE FROM postmortems"))
    db.session.commit()
    make_postmortem(incident["id"])
    page = html(client, f"/status/incidents/{incident['id']}/postmortem")
    assert "Postmortem: Outage" in page
    assert "A <strong>config</strong> typo." in page
    assert "Lessons learned" not in page  # empty sections are left out


def test_unknown_incident_is_a_404_page(client):
    assert "does not exist" in html(client, "/status/incidents/999", 404)
    assert "does not exist" in html(client, "/status/incidents/999/postmortem", 404)


def test_history_is_paginated_by_entries_and_includes_maintenance(client, api, page_timezone):
    page_timezone("Europe/Berlin")
    for n in range(19):
        make_incident(api, title=f"Incident {n:02d}")
    earlier = make_incident(api, title="Last year")
    # 31 Dec 23:30 UTC is already 1 Jan in Berlin.
    db.session.get(Incident, earlier["id"]).created_at = datetime(2025, 12, 31, 23, 30, tzinfo=timezone.utc)
    db.session.commit()
    make_maintenance("Past upgrade", status="completed", starts_in=timedelta(hours=-3))
    make_maintenance("Future upgrade", starts_in=timedelta(days=3))
    first = html(client, "/status/history")
    assert "Past upgrade" in first and "Future upgrade" not in first  # maintenance that has begun
    assert "Incident 18" in first and "Last year" not in first
    assert 'rel="next"' in first and 'rel="prev"' not in first and "Page 1 of 2" in first
    second = html(client, "/status/history?page=2")
    assert "Last year" in second and "January 2026" in second and "1 Jan 2026, 00:30 CET" in second
    assert 'rel="prev"' in second and 'rel="next"' not in second


@pytest.mark.parametrize("page", ["0", "junk", "-1", "1.5"])
def test_history_bad_page_is_a_400(client, page):
    assert client.get(f"/status/history?page={page}").status_code == 400


def test_times_use_the_page_zone_across_dst(client, api, page_timezone):
    page_timezone("America/New_York")
    incident = make_incident(api, title="Around DST")
    row = db.session.get(Incident, incident["id"])
    row.created_at = datetime(2026, 3, 8, 6, 30, tzinfo=timezone.utc)   # 01:30 EST
    row.updates[0].created_at = datetime(2026, 3, 8, 7, 30, tzinfo=timezone.utc)  # 03:30 EDT
    db.session.commit()
    page = html(client, f"/status/incidents/{incident['id']}")
    assert "8 Mar 2026, 01:30 EST" in page
    assert "8 Mar 2026, 03:30 EDT" in page
    assert 'datetime="2026-03-08T06:30:00Z" data-local' in page


def test_embed_is_small_and_framable(client, api):
    make_incident(api, title="Embedded incident")
    response = client.get("/status/embed")
    assert response.status_code == 200
    assert "Embedded incident" in response.get_data(as_text=True)
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers


def test_status_page_budget(client, app, api):
    """/status HTML + CSS + own JS stays under 100 KB (Alpine not counted)."""
    groups = [api.post("/api/component-groups", json={"name": f"Group {g}"}).json for g in range(3)]
    for n in range(12):
        make_component(api, f"Component {n}", group_id=groups[n % 3]["id"])
    for n in range(3):
        make_incident(api, title=f"Incident {n}", summary="Investigating. " * 10)
    page = client.get("/status").data
    own = [f"css/{name}" for name in ("tokens.css", "public.css")] + [
        f"js/{name}" for name in ("theme-init.js", "public.js", "status-page.js", "theme.js",
                                  "lib/reducer.js", "lib/stream.js", "lib/timefmt.js")]
    assets = 0
    for path in own:
        response = client.get(f"/static/{path}")
        assert response.status_code == 200, path
        assets += len(response.data)
        response.close()
    print(f"/status {len(page)} B + own CSS/JS {assets} B")
    assert len(page) + assets <= 100 * 1024, (len(page), assets)


def _past_outage(component_id: int, days_ago: int, hours: int) -> None:
    """History as if the component had been created earlier and had one outage back then."""
    from statuspage.models import Component, ComponentStatusChange

    start = utcnow() - timedelta(days=days_ago)
    db.session.get(Component, component_id).created_at = start - timedelta(days=7)
    db.session.add_all([
        ComponentStatusChange(component_id=component_id, from_status="operational",
                              to_status="major_outage", changed_at=start),
        ComponentStatusChange(component_id=component_id, from_status="major_outage",
                              to_status="operational", changed_at=start + timedelta(hours=hours))])
    db.session.commit()


def test_an_archived_component_leaves_every_public_surface_with_its_history_kept(client, api):
    from statuspage.services import maintenance as maintenance_service
    from statuspage.services.context import SYSTEM

    make_component(api, "Checkout")
    legacy = make_component(api, "Legacy Gateway")
    _past_outage(legacy["id"], days_ago=3, hours=2)
    api.patch(f"/api/components/{legacy['id']}", json={"status": "major_outage"})
    window = make_maintenance(title="Gateway patch", starts_in=timedelta(seconds=-1),
                              component_ids=[legacy["id"]])
    before = client.get("/api/public/status").json
    legacy_view = next(c for c in before["components"] if c["id"] == legacy["id"])
    legacy_days = next(c for c in client.get("/api/public/uptime").json["components"]
                       if c["id"] == legacy["id"])["marked"]
    assert before["status"]["indicator"] != "none"
    assert legacy_view["uptime_30"] < 100

    assert api.delete(f"/api/components/{legacy['id']}").status_code == 200
    public = client.get("/api/public/status").json
    assert [c["name"] for c in public["components"]] == ["Checkout"]
    assert public["status"]["indicator"] == "none"  # an archived outage no longer counts
    for path in ("/api/v2/components.json", "/api/v2/summary.json"):
        assert "Legacy Gateway" not in client.get(path).get_data(as_text=True), path
    assert client.get("/api/v2/status.json").json["status"]["indicator"] == "none"
    assert "Legacy Gateway" not in html(client, "/status")
    assert "Legacy Gateway" not in html(client, "/subscriptions/")
    assert client.get(f"/status/components/{legacy['id']}/badge.svg").status_code == 404
    # A window that starts later leaves the archived component alone.
    maintenance_service.start(SYSTEM, window.id)
    db.session.commit()
    assert api.get(f"/api/components/{legacy['id']}").json["status"] == "major_outage"

    # Restored, it comes back with the same uptime record.
    api.post(f"/api/components/{legacy['id']}/restore")
    again = next(c for c in client.get("/api/public/uptime").json["components"]
                 if c["id"] == legacy["id"])["marked"]
    assert again[:-1] == legacy_days[:-1]  # every finished day, as it was
