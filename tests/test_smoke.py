def test_create_and_read_incident(api):
    created = api.post("/api/incidents", json={"title": "Down", "severity": "SEV1", "tags": ["DB"]})
    assert created.status_code == 201, created.json
    got = api.get(f"/api/incidents/{created.json['id']}")
    assert got.json["title"] == "Down"
    assert got.json["tags"] == ["db"]
    assert got.json["updates"][0]["kind"] == "created"
