"""An internal incident is never named, counted or hinted at on any public surface."""
from __future__ import annotations

import json
import re

import pytest

from tests.conftest import make_component, make_incident
from tests.helpers import outbox

SECRET_TITLE = "db-7 failover (internal)"


@pytest.fixture
def internal(api):
    """A public component hit by an internal incident, plus a public incident for contrast."""
    component = make_component(api, "Database")
    incident = make_incident(api, title=SECRET_TITLE, severity="SEV1", visibility="internal",
                             components=[{"id": component["id"], "status": "major_outage"}])
    api.post(f"/api/incidents/{incident['id']}/updates",
             json={"body": "Internal note", "components": [
                 {"id": component["id"], "status": "partial_outage"}]})
    api.post(f"/api/incidents/{incident['id']}/transition", json={"to": "resolved"})
    make_incident(api, title="Public hiccup", severity="SEV4")
    return incident


def _public_get_routes(app) -> list[str]:
    """Every public GET route without path arguments (the stream is tested live)."""
    private = ("/admin", "/static", "/api/stream", "/metrics", "/healthz")
    rules = [rule.rule for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith(private)]
    return [r for r in rules if r.startswith(("/status", "/api/public", "/api/v2", "/history"))
            or r in ("/", "/subscriptions/")]


def test_no_public_surface_names_the_internal_incident(app, client, internal):
    routes = _public_get_routes(app)
    assert "/api/v2/summary.json" in routes and "/history.atom" in routes
    mentions = re.compile(rf'incident[s_/-]*(id)?["=:/ ]*\D?{internal["id"]}\b', re.IGNORECASE)
    for route in routes + ["/status/history?page=1"]:
        response = client.get(route, follow_redirects=True)
        assert response.status_code == 200, route
        body = response.get_data(as_text=True)
        assert SECRET_TITLE not in body and "Internal note" not in body, route
        assert not mentions.search(body), (route, mentions.search(body))
    assert client.get(f"/api/public/incidents/{internal['id']}").status_code == 404
    assert client.get(f"/status/incidents/{internal['id']}").status_code == 404


def test_public_component_events_do_not_name_an_internal_incident(internal):
    events = outbox("COMPONENT_STATUS_CHANGED")
    assert len(events) == 3  # outage, partial outage, back to operational
    for event in events:
        assert event.payload["incident_id"] == internal["id"]  # the console still knows
        assert event.public_payload["incident_id"] is None
        assert SECRET_TITLE not in json.dumps(event.public_payload)

