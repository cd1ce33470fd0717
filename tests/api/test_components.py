"""Component and group management."""
from statuspage.extensions import db
from statuspage.models import AuditEvent, ComponentStatusChange

from ..conftest import make_component, make_incident


def test_component_crud_with_history(api):
    group = api.post("/api/component-groups", json={"name": "Core"}).json
    created = make_component(api, "API", group_id=group["id"], description="Public REST API")
    assert (created["status"], created["group_id"], created["position"]) == ("operational", group["id"], 1)
    second = make_component(api, "Web")
    assert second["position"] == 2
    changed = api.patch(f"/api/components/{created['id']}", json={"status": "degraded_performance", "name": "REST API"})
    assert changed.status_code == 200 and changed.json["name"] == "REST API"
    history = db.session.query(ComponentStatusChange).filter_by(component_id=created["id"]).all()
    assert [(h.from_status, h.to_status) for h in history] == [("operational", "degraded_performance")]
    groups = api.get("/api/component-groups").json["items"]
    assert groups[0]["components"][0]["name"] == "REST API"
    assert [c["name"] for c in api.get("/api/components").json["items"]] == ["REST API", "Web"]
    assert api.delete(f"/api/components/{second['id']}").status_code == 204
    assert api.get(f"/api/components/{second['id']}").status_code == 404
    actions = [a.action for a in db.session.query(AuditEvent).order_by(AuditEvent.id)]
    assert {"component_group.created", "component.created", "component.updated", "component.deleted"} <= set(actions)


def test_deleting_a_component_incidents_reference_is_409(api):
    component = make_component(api)
    make_incident(api, components=[{"id": component["id"], "status": "major_outage"}])
    response = api.delete(f"/api/components/{component['id']}")
    assert response.status_code == 409
    assert "referenced by incidents" in response.json["detail"]
    assert api.get(f"/api/components/{component['id']}").status_code == 200


def test_group_deletion_keeps_components(api):
    group = api.post("/api/component-groups", json={"name": "Edge"}).json
    component = make_component(api, "CDN", group_id=group["id"])
    assert api.patch(f"/api/component-groups/{group['id']}", json={"name": "Edge network"}).json["name"] == "Edge network"
    assert api.delete(f"/api/component-groups/{group['id']}").status_code == 204
    assert api.get(f"/api/components/{component['id']}").json["group_id"] is None


def test_component_validation(api):
    assert api.post("/api/components", json={"name": ""}).status_code == 422
    assert api.post("/api/components", json={"name": "x", "status": "fine"}).status_code == 422
    assert api.post("/api/components", json={"name": "x", "group_id": 999}).json["errors"]["group_id"]
    assert api.patch("/api/components/999", json={"name": "x"}).status_code == 404
    assert api.patch("/api/component-groups/999", json={"name": "x"}).status_code == 404
