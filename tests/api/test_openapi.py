"""The OpenAPI document describes every /api endpoint and is valid OpenAPI 3."""
from openapi_spec_validator import validate

HTTP_METHODS = {"GET", "POST", "PATCH", "PUT", "DELETE"}


def test_document_is_valid_openapi(anon):
    response = anon.get("/api/openapi.json")
    assert response.status_code == 200
    validate(response.json)


def test_every_api_route_and_method_is_documented(app, anon):
    doc = anon.get("/api/openapi.json").json
    import re

    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api"):
            continue
        path = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule.rule)
        assert path in doc["paths"], path
        for method in rule.methods & HTTP_METHODS:
            operation = doc["paths"][path][method.lower()]
            assert operation["summary"] and operation["responses"]


def test_errors_and_schemas_are_described(anon):
    doc = anon.get("/api/openapi.json").json
    create = doc["paths"]["/api/incidents"]["post"]
    assert {"201", "401", "403", "409", "422"} <= set(create["responses"])
    assert create["responses"]["422"]["content"]["application/problem+json"]["schema"]["$ref"].endswith("/Problem")
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    body_ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][body_ref.rsplit("/", 1)[1]]
    assert schema["properties"]["title"]["maxLength"] == 200
    assert schema["properties"]["severity"]["enum"] == ["SEV1", "SEV2", "SEV3", "SEV4"]
    listing = doc["paths"]["/api/incidents"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"q", "status", "severity", "tag", "component", "page", "per_page"}
