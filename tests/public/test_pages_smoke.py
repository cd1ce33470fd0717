from tests.conftest import make_component, make_incident


def test_status_page_renders(api, client):
    comp = make_component(api, "API")
    make_incident(api, title="Errors on API", components=[{"id": comp["id"], "status": "partial_outage"}],
                  summary="We are **looking** into it.")
    r = client.get("/status")
    assert r.status_code == 200, r.data[:2000]
    print(len(r.data))
    html = r.get_data(as_text=True)
    assert "Partial System Outage" in html
    assert "Errors on API" in html
    for path in ["/api/public/status", "/api/v2/summary.json", "/api/v2/status.json", "/api/v2/components.json",
                 "/api/v2/incidents.json", "/api/v2/incidents/unresolved.json", "/api/v2/scheduled-maintenances.json",
                 "/api/v2/scheduled-maintenances/upcoming.json", "/api/v2/scheduled-maintenances/active.json",
                 "/history.atom", "/history.rss", "/status/maintenance.ics", "/status/badge.svg",
                 "/status/embed", "/status/history", "/status/incidents/1", f"/status/components/{comp['id']}/badge.svg",
                 "/api/public/incidents/1"]:
        r = client.get(path)
        assert r.status_code == 200, (path, r.data[:3000])
