"""Alerts in: the secret ingest URL, the same with a bearer token, rotation and recent payloads."""
from __future__ import annotations

from flask import request

from ..errors import DomainError
from ..schemas import alert_sources  # noqa: F401 - registers the alert-sender kinds
from ..schemas.alert_sources import IngestRecordSchema, IngestResultSchema
from ..schemas.integrations import IntegrationSchema
from ..services import alert_ingest, inbound
from .auth import current_actor
from .blueprint import bp
from .endpoint import endpoint

TAGS = ("integrations",)
MAX_PAYLOAD = 1024 * 1024


class PayloadTooLarge(DomainError):
    status = 413
    title = "Payload too large"
    type_slug = "payload-too-large"


def _payload() -> tuple[object, bytes]:
    if (request.content_length or 0) > MAX_PAYLOAD:
        raise PayloadTooLarge(f"Send at most {MAX_PAYLOAD} bytes.")
    raw = request.get_data(cache=False)[:MAX_PAYLOAD + 1]
    if len(raw) > MAX_PAYLOAD:
        raise PayloadTooLarge(f"Send at most {MAX_PAYLOAD} bytes.")
    return alert_ingest.parse_body(raw), raw


@bp.post("/hooks/<kind>/<secret>")
@endpoint("Receive alerts at a secret URL (no other auth); problems are listed, still 200",
          role=None, response=IngestResultSchema, write=True, idempotent=False,
          errors=(404, 413, 429), tags=TAGS)
def receive_alerts(kind, secret):
    integration = inbound.by_secret(kind, secret)
    body, raw = _payload()
    return IngestResultSchema().dump(alert_ingest.ingest(integration, body, raw))


@bp.post("/integrations/<id:integration_id>/ingest")
@endpoint("Receive alerts for an integration, authenticated by an API token", role="responder",
          response=IngestResultSchema, write=True, idempotent=False,
          errors=(401, 403, 404, 413, 429), tags=TAGS)
def receive_alerts_with_token(integration_id):
    integration = inbound.inbound(integration_id)
    body, raw = _payload()
    return IngestResultSchema().dump(alert_ingest.ingest(integration, body, raw))


@bp.post("/integrations/<id:integration_id>/rotate-secret")
@endpoint("New secret ingest URL (shown once); the old one stops working", role="admin",
          response=IntegrationSchema, write=True, errors=(401, 403, 404, 429), tags=TAGS)
def rotate_integration_secret(integration_id):
    return inbound.rotate_secret(current_actor(), integration_id)


@bp.get("/integrations/<id:integration_id>/payloads")
@endpoint("The last payloads an integration received and their outcome", role="admin",
          response=IngestRecordSchema, listing="items", errors=(401, 403, 404), tags=TAGS)
def list_integration_payloads(integration_id):
    inbound.inbound(integration_id)
    return alert_ingest.recent(integration_id)
