"""The audit trail API."""
from ..conftest import make_incident


def test_newest_first_with_filters_and_cursor(api):
    incident = make_incident(api)
    api.post(f"/api/incidents/{incident['id']}/transition", json={"to": "identified"},
             headers={"X-Request-ID": "req-abc"})
    items = api.get("/api/audit").json["items"]
    assert items[0]["action"] == "incident.transitioned"
    assert items[0]["before"] == {"status": "investigating"} and items[0]["after"] == {"status": "identified"}
    assert items[0]["request_id"] == "req-abc" and items[0]["actor_type"] == "token"
    filtered = api.get("/api/audit", query_string={"target_type": "incident", "target_id": incident["id"]}).json
    assert [i["action"] for i in filtered["items"]] == ["incident.transitioned", "incident.created"]
    assert api.get("/api/audit", query_string={"action": "incident.created"}).json["items"][0]["target_id"] == str(incident["id"])
    page1 = api.get("/api/audit", query_string={"limit": 2}).json
    page2 = api.get("/api/audit", query_string={"limit": 2, "cursor": page1["next_cursor"]}).json
    assert page1["next_cursor"] and {i["id"] for i in page1["items"]}.isdisjoint({i["id"] for i in page2["items"]})
    assert api.get("/api/audit", query_string={"since": "2999-01-01T00:00:00Z"}).json["items"] == []
    assert api.get("/api/audit", query_string={"limit": 0}).status_code == 422
