"""Integrations: CRUD for every registered kind, secrets kept encrypted or hashed.

Input arrives validated and normalised by the kind's schema (``config``, the
``secret`` and how to keep it); nothing here depends on a particular kind.
Secrets never leave this module in full except through :func:`secret_of`, for
the code that must use them (the senders).
"""
from __future__ import annotations

import secrets as random_secrets
from typing import Optional

from flask import current_app
from sqlalchemy import select
from sqlalchemy import update as sql_update

from .. import outbound
from ..domain.deliveries import CHAT_CHANNELS
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..models import Integration, utcnow
from . import audit, components, outbox, secretbox, signals
from .context import Actor
from .email import deliveries

GENERATED_PREFIX = "spi_"


def snapshot(integration: Integration) -> dict:
    """The audited fields (never the secret itself)."""
    return {"kind": integration.kind, "name": integration.name, "enabled": integration.enabled,
            "config": integration.config, "secret_hint": integration.secret_hint}


def list_all(kind: Optional[str] = None) -> list[Integration]:
    """Integrations (of one kind), by name."""
    stmt = select(Integration).order_by(Integration.name, Integration.id)
    if kind:
        stmt = stmt.where(Integration.kind == kind)
    return list(db.session.scalars(stmt))


def get(integration_id: int) -> Integration:
    """One integration (404 when there is none)."""
    integration = db.session.get(Integration, integration_id)
    if integration is None:
        raise NotFound(f"Integration {integration_id} does not exist.")
    return integration


def enabled_of_kinds(kinds: tuple[str, ...]) -> list[Integration]:
    """The enabled integrations of these kinds, by id."""
    return list(db.session.scalars(select(Integration).where(
        Integration.kind.in_(kinds), Integration.enabled).order_by(Integration.id)))


def secret_of(integration: Integration) -> Optional[str]:
    """The decrypted secret of an integration that keeps it encrypted."""
    return secretbox.decrypt(integration.secret_encrypted) if integration.secret_encrypted else None


def find_by_secret(kind: str, plain: str) -> Optional[Integration]:
    """The enabled integration of ``kind`` whose hashed secret is ``plain``."""
    if not plain:
        return None
    found = db.session.scalar(select(Integration).where(
        Integration.kind == kind, Integration.secret_hash == secretbox.digest(plain)))
    return found if found is not None and found.enabled else None


def allow_private() -> bool:
    """Whether outbound requests may go to private addresses (tests, on-premise)."""
    return bool(current_app.config["WEBHOOK_ALLOW_PRIVATE"])


def check_url(url: str, field: str) -> None:
    """Refuse a URL the product must not post to, as a validation error on ``field``."""
    try:
        outbound.check_url(url, allow_private())
    except outbound.Refused as refused:
        raise ValidationFailed({field: [str(refused)]}) from None


def _hint(plain: str, is_url: bool) -> str:
    return outbound.redact_url(plain) if is_url else f"{plain[:len(GENERATED_PREFIX)]}…{plain[-4:]}"


def _set_secret(integration: Integration, data: dict, plain: str) -> None:
    if data["secret_is_url"]:
        check_url(plain, "url")
    if data["secret_storage"] == "hashed":
        integration.secret_hash, integration.secret_encrypted = secretbox.digest(plain), None
    else:
        integration.secret_encrypted, integration.secret_hash = secretbox.encrypt(plain), None
    integration.secret_hint = _hint(plain, data["secret_is_url"])


def _check_config(config: dict) -> None:
    if config.get("components"):
        components.get_many(config["components"], field="components")


def create(actor: Actor, data: dict) -> Integration:
    """Add an integration; a server-generated secret is on ``plain_secret`` (shown once)."""
    _check_config(data["config"])
    integration = Integration(kind=data["kind"], name=data["name"], config=data["config"],
                              enabled=data.get("enabled", True))
    plain = data.get("secret")
    if plain is None and data.get("generate_secret"):
        plain = GENERATED_PREFIX + random_secrets.token_urlsafe(32)
        integration.plain_secret = plain
    if plain is not None:
        _set_secret(integration, data, plain)
    db.session.add(integration)
    db.session.flush()
    audit.record(actor, "integration.created", "integration", integration.id,
                 after=snapshot(integration))
    return integration


def update(actor: Actor, integration_id: int, data: dict) -> Integration:
    """Edit an integration: name, enabled, config keys, or a new secret."""
    integration = get(integration_id)
    _check_config(data["config"])
    before = snapshot(integration)
    for key in ("name", "enabled"):
        if key in data:
            setattr(integration, key, data[key])
    if data["config"]:
        integration.config = {**integration.config, **data["config"]}
    if data.get("secret") is not None:
        _set_secret(integration, data, data["secret"])
    integration.updated_at = utcnow()
    db.session.flush()
    if before["enabled"] and not integration.enabled:  # nothing can resolve its alerts now
        signals.release(f"integration:{integration.id}", f"Integration {integration.name} disabled")
    b, a = audit.diff(before, snapshot(integration))
    if a or data.get("secret") is not None:
        audit.record(actor, "integration.updated", "integration", integration.id, before=b,
                     after={**a, **({"secret": "replaced"} if data.get("secret") else {})})
    return integration


def delete(actor: Actor, integration_id: int) -> None:
    """Remove an integration."""
    integration = get(integration_id)
    audit.record(actor, "integration.deleted", "integration", integration.id,
                 before=snapshot(integration))
    # Alerts it left firing must not hold components once nothing can resolve them.
    signals.release(f"integration:{integration.id}", f"Integration {integration.name} deleted")
    db.session.delete(integration)
    db.session.flush()


def record_result(conn, integration_id: int, status: str, code: Optional[int] = None,
                  excerpt: Optional[str] = None, error: Optional[str] = None) -> None:
    """Keep the last delivery's outcome on the integration (on the caller's connection)."""
    conn.execute(sql_update(Integration).where(Integration.id == integration_id).values(
        last_delivery_at=utcnow(), last_delivery_status=status, last_response_code=code,
        last_response_excerpt=(excerpt or "")[:200] or None, last_error=(error or "")[:2000] or None))


def disable(conn, integration_id: int) -> None:
    """Turn an integration off (its receiver answered 410 Gone)."""
    conn.execute(sql_update(Integration).where(Integration.id == integration_id)
                 .values(enabled=False, updated_at=utcnow()))


def send_test(actor: Actor, integration_id: int):
    """Queue a test message to a chat integration; returns the delivery."""
    integration = get(integration_id)
    if integration.kind not in CHAT_CHANNELS:
        raise Conflict(f"A {integration.kind} integration receives nothing from here.")
    row = deliveries.create("test", integration.name[:254], f"Test message to {integration.name}"[:300],
                            channel=integration.kind, integration_id=integration.id)
    audit.record(actor, "integration.tested", "integration", integration.id, after={"delivery": row.id})
    outbox.record("MAIL_TEST_QUEUED", {"delivery": {"id": row.id}})
    return row
