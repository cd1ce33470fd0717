"""Screenshots for the README (UPDATE_SCREENSHOTS=1 writes docs/screenshots/; otherwise skipped)."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from tests.admin.conftest import PASSWORD
from tests.browser.admin_helpers import sign_in, stream_open
from tests.conftest import make_component, make_incident, make_user
from tests.public.builders import make_maintenance

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not os.environ.get("UPDATE_SCREENSHOTS"), reason="set UPDATE_SCREENSHOTS=1")]

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SHOTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def test_write_screenshots(live_server, watched, api):
    api.patch("/api/settings", json={"page_name": "Acme Cloud", "accent_color": "#0f766e",
                                     "footer_links": [{"label": "Docs", "url": "https://docs.example.com"}]})
    core = api.post("/api/component-groups", json={"name": "Core platform"}).json
    edge = api.post("/api/component-groups", json={"name": "Edge"}).json
    names = {"API": core, "Web app": core, "Database": core, "CDN": edge, "DNS": edge}
    comps = {n: make_component(api, n, group_id=g["id"]) for n, g in names.items()}
    incident = make_incident(
        api, title="Elevated API error rates", severity="SEV2",
        summary="Some requests to the **API** fail with `503`. We are investigating.",
        components=[{"id": comps["API"]["id"], "status": "partial_outage"}], next_update_at="2030-01-01T10:00:00Z")
    api.post(f"/api/incidents/{incident['id']}/transition",
             json={"to": "identified", "message": "A bad configuration push on the load balancers; rolling back."})
    make_maintenance("Database failover drill", status="scheduled", starts_in=timedelta(days=2),
                     component_ids=[comps["Database"]["id"]])
    OUT.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        for device, viewport in SHOTS.items():
            page = watched(viewport=viewport, color_scheme=scheme, timezone_id="UTC").page
            page.goto(live_server.url + "/status")
            stream_open(page)
            page.screenshot(path=str(OUT / f"status-{device}-{scheme}.png"), full_page=False)
    page = watched(viewport=SHOTS["desktop"], color_scheme="light").page
    sign_in(page, live_server.url, make_user("responder", password=PASSWORD), f"/admin/incidents/{incident['id']}")
    page.screenshot(path=str(OUT / "incident-detail.png"), full_page=True)
