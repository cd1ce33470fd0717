"""Console screens for alert integrations (URL once, rotate, payloads) and monitors."""
from __future__ import annotations

import re

from sqlalchemy import select

from statuspage.extensions import db
from statuspage.models import Integration, Monitor
from tests.conftest import make_component
from tests.integrations.alert_payloads import alertmanager, am_alert


def _ingest_url(html: str) -> str:
    match = re.search(r'id="ingest-url" readonly value="([^"]+)"', html)
    assert match, "no ingest URL on the page"
    return match.group(1)


def test_integration_screens(console, api, anon):
    make_component(api, name="API")
    response = console.post("/admin/alerts", {
        "kind": "alertmanager", "name": "Prod AM", "component_label": "component",
        "severity_label": ["critical", "warning", ""], "severity_status": ["major_outage", "degraded_performance", "major_outage"],
        "open_incident": "on", "incident_visibility": "internal"})
    assert response.status_code == 201
    url = _ingest_url(response.text)
    row = db.session.scalars(select(Integration)).one()
    assert row.config["severity_map"] == {"critical": "major_outage", "warning": "degraded_performance"}
    listing = console.get("/admin/alerts").text
    assert "Prod AM" in listing and url not in listing and 'id="ingest-url"' not in listing
    path = url.split("status.test", 1)[1]
    anon.post(path, json=alertmanager(am_alert(component="nope")))
    listing = console.get("/admin/alerts").text
    assert "Unknown component &#39;nope&#39;." in listing and "problems" in listing
    detail = console.get(f"/admin/alerts/{row.id}").text
    assert "Unknown component &#39;nope&#39;." in detail and "HighErrors" in detail
    rotated = console.post(f"/admin/alerts/{row.id}/rotate")
    assert rotated.status_code == 200 and _ingest_url(rotated.text) != url
    assert anon.post(path, json={}).status_code == 404
    assert console.post(f"/admin/alerts/{row.id}/delete").status_code == 303


def test_monitor_screens(console, console_as, api):
    component = make_component(api, name="API")
    response = console.post("/admin/monitors", {
        "name": "Edge", "kind": "http", "url": "http://example.test/health", "component_id": str(component["id"]),
        "interval_seconds": "30", "timeout_seconds": "5", "failure_threshold": "3",
        "recovery_threshold": "2", "degraded_ms": "", "public_metric": "on"})
    assert response.status_code == 303, response.text
    monitor = db.session.scalars(select(Monitor)).one()
    assert (monitor.interval_seconds, monitor.public_metric, monitor.component_id) == (30, True, component["id"])
    page = console.get("/admin/monitors").text
    assert "Edge" in page and "Edge: no checks in the last 24 hours." in page and "<svg" in page
    assert console.post(f"/admin/monitors/{monitor.id}/pause").status_code == 303
    db.session.expire_all()
    assert db.session.get(Monitor, monitor.id).paused is True
    assert "Resume" in console.get("/admin/monitors").text
    assert console.post("/admin/monitors", {"name": "x", "kind": "tcp", "interval_seconds": "30"}).status_code == 422
    assert console_as("responder").get("/admin/monitors").status_code == 403
    assert console.post(f"/admin/monitors/{monitor.id}/delete").status_code == 303
