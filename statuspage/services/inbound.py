"""Inbound integrations: finding one by its secret, rotating the secret."""
from __future__ import annotations

import secrets as random_secrets
from typing import Optional

from ..errors import NotFound
from ..models import Integration, utcnow
from . import audit, integrations, secretbox
from .alert_ingest import INBOUND_KINDS
from .context import Actor


def by_secret(kind: str, plain: str) -> Integration:
    """The enabled inbound integration of ``kind`` with this secret; 404 otherwise
    (the same answer for an unknown kind, a wrong secret and a disabled one)."""
    found: Optional[Integration] = None
    if kind in INBOUND_KINDS and len(plain) <= 200:
        found = integrations.find_by_secret(kind, plain)
    if found is None:
        raise NotFound("There is no such hook.")
    return found


def inbound(integration_id: int) -> Integration:
    """An inbound integration by id (404 for other kinds)."""
    integration = integrations.get(integration_id)
    if integration.kind not in INBOUND_KINDS:
        raise NotFound(f"Integration {integration_id} does not accept alerts.")
    return integration


def rotate_secret(actor: Actor, integration_id: int) -> Integration:
    """Replace the secret; the new one is on ``plain_secret`` (shown once), the old one stops working."""
    integration = inbound(integration_id)
    plain = integrations.GENERATED_PREFIX + random_secrets.token_urlsafe(32)
    integration.secret_hash = secretbox.digest(plain)
    integration.secret_hint = f"{plain[:len(integrations.GENERATED_PREFIX)]}…{plain[-4:]}"
    integration.updated_at = utcnow()
    integration.plain_secret = plain
    audit.record(actor, "integration.secret_rotated", "integration", integration.id,
                 after={"secret_hint": integration.secret_hint})
    return integration
