"""Every /api route of this release appears in /api/openapi.json, and the document is valid."""
from __future__ import annotations

import re

from openapi_spec_validator import validate

ISSUE_3_PATHS = {
    ("get", "/api/incidents/analytics"),
    ("get", "/api/incidents/{incident_id}/postmortem"),
    ("post", "/api/incidents/{incident_id}/postmortem"),
    ("patch", "/api/incidents/{incident_id}/postmortem"),
    ("post", "/api/incidents/{incident_id}/postmortem/publish"),
    ("get", "/api/incidents/{incident_id}/postmortem/export"),
    ("get", "/api/incidents/{incident_id}/postmortem/action-items"),
    ("post", "/api/incidents/{incident_id}/postmortem/action-items"),
    ("patch", "/api/action-items/{item_id}"),
    ("delete", "/api/action-items/{item_id}"),
    ("get", "/api/templates"), ("post", "/api/templates"),
    ("get", "/api/templates/{template_id}"), ("patch", "/api/templates/{template_id}"),
    ("delete", "/api/templates/{template_id}"),
    ("get", "/api/maintenances"), ("post", "/api/maintenances"),
    ("get", "/api/maintenances/{maintenance_id}"), ("patch", "/api/maintenances/{maintenance_id}"),
    ("delete", "/api/maintenances/{maintenance_id}"),
    ("get", "/api/components/{component_id}/history"), ("put", "/api/components/order"),
    ("put", "/api/component-groups/order"), ("get", "/api/component-groups/{group_id}"),
    ("get", "/api/audit"),
}


def test_document_lists_every_api_route(app, anon):
    doc = anon.get("/api/openapi.json").json
    validate(doc)
    documented = {(m, p) for p, ops in doc["paths"].items() for m in ops}
    assert ISSUE_3_PATHS <= documented
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (method.lower(), path) in documented, (method, path)
    export = doc["paths"]["/api/incidents/{incident_id}/postmortem/export"]["get"]
    assert "text/markdown" in export["responses"]["200"]["content"]
