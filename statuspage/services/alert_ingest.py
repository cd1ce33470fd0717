"""Alerts in: payloads from Alertmanager, Grafana or the generic webhook become
component statuses and, when configured, incidents.

Bad payloads never raise: the caller answers 2xx with the problems listed (a
sender would otherwise retry forever), and the problems stay visible on the
integration.
"""
from __future__ import annotations

from typing import Optional

from sqlalchemy import delete, exists, func, select, update

from .. import bounded_json
from ..domain.automation import Alert, parse
from ..domain.statuses import worst_component_status
from ..extensions import db
from ..models import (
    AlertGroupIncident,
    AuditEvent,
    Component,
    IngestRecord,
    Integration,
    utcnow,
)
from . import incidents, signals

INBOUND_KINDS = ("alertmanager", "grafana", "webhook")
KEEP_RECORDS = 20
EXCERPT = 2000
# The incident severity an automatic incident gets from the worst status it causes.
_SEVERITY = {"major_outage": "SEV1", "partial_outage": "SEV2", "degraded_performance": "SEV3",
             "under_maintenance": "SEV4"}


def find_component(ref: str) -> Optional[Component]:
    """The active component named ``ref`` (case-insensitive) or with that id."""
    stmt = select(Component).where(Component.active)
    found = db.session.scalar(stmt.where(func.lower(Component.name) == ref.strip().lower()))
    if found is None and ref.strip().isdigit():
        found = db.session.scalar(stmt.where(Component.id == int(ref)))
    return found


def ingest(integration: Integration, body, raw: bytes = b"") -> dict:
    """Apply one payload; returns ``{"alerts", "changes", "incidents", "problems"}``."""
    source = f"integration:{integration.id}"
    _take_turn(integration)
    alerts, problems = parse(integration.kind, body, integration.config)
    touched, groups = [], {}
    for alert in alerts:
        signal = _apply(source, alert, problems)
        if signal is not None:
            touched.append(signal)
            groups.setdefault(alert.group_key, alert)
    changes = signals.reconcile(source, touched)
    opened = []
    if integration.config.get("open_incident"):
        for group_key in groups:
            opened += _follow_group(integration, source, group_key)
    result = {"alerts": len(alerts), "changes": changes, "incidents": opened, "problems": problems}
    _record(integration, result, raw)
    return result


def _take_turn(integration: Integration) -> None:
    # Alertmanager and Grafana retry and fan out from several replicas, so one alert
    # often arrives twice at once. Writing the integration's row first makes payloads
    # of one integration wait for each other (a row lock on PostgreSQL, the write lock
    # on SQLite), so the second sees the first one's signals and incident instead of
    # inserting them again.
    db.session.execute(update(Integration).where(Integration.id == integration.id)
                       .values(last_delivery_at=utcnow()),
                       execution_options={"synchronize_session": False})


def _apply(source: str, alert: Alert, problems: list) -> Optional[object]:
    if not alert.firing:
        return signals.resolve(source, alert.key)
    if alert.component is None:
        problems.append(f"Alert {alert.key[:40]!r} names no component.")
        return None
    component = find_component(alert.component)
    if component is None:
        problems.append(f"Unknown component {alert.component!r}.")
        return None
    if alert.status is None:  # unknown severity: already listed by the parser
        return None
    return signals.fire(source, alert.key, alert.group_key, component.id, alert.status,
                        alert.summary)


def _touched_by_someone_else(incident_id: int, label: str) -> bool:
    return bool(db.session.scalar(select(exists().where(
        AuditEvent.target_type == "incident", AuditEvent.target_id == str(incident_id),
        AuditEvent.actor_label != label))))


def _follow_group(integration: Integration, source: str, group_key: str) -> list[dict]:
    """Open one incident per firing group; when the group resolves, move it to monitoring."""
    actor = signals.actor_for(source)
    firing = signals.firing_for(source, group_key)
    link = db.session.scalar(select(AlertGroupIncident).where(
        AlertGroupIncident.source == source, AlertGroupIncident.group_key == group_key))
    incident = incidents.get(link.incident_id) if link is not None else None
    if firing and (incident is None or incident.status == "resolved"):
        impacts = {s.component_id: db.session.get(Component, s.component_id).status for s in firing}
        worst = worst_component_status(s.status for s in firing)
        created = incidents.create(actor, {
            "title": firing[0].summary[:200] or integration.name, "summary": firing[0].summary,
            "severity": _SEVERITY.get(worst, "SEV3"),
            "visibility": integration.config.get("incident_visibility", "internal"),
            "components": [{"id": cid, "status": status} for cid, status in impacts.items()]})
        if link is None:
            link = AlertGroupIncident(source=source, group_key=group_key, opened_at=utcnow(),
                                      incident_id=created.id)
            db.session.add(link)
        link.incident_id, link.opened_at = created.id, utcnow()
        db.session.flush()
        return [{"incident_id": created.id, "action": "opened"}]
    if not firing and incident is not None and incident.status in ("investigating", "identified") \
            and not _touched_by_someone_else(incident.id, actor.label):
        incidents.transition(actor, incident.id, "monitoring",
                             message="The alert resolved; watching before closing the incident.")
        return [{"incident_id": incident.id, "action": "monitoring"}]
    return []


def _record(integration: Integration, result: dict, raw: bytes) -> None:
    now = utcnow()
    outcome = "problems" if result["problems"] else "applied"
    db.session.add(IngestRecord(
        integration_id=integration.id, received_at=now, outcome=outcome,
        changes=result["changes"] + result["incidents"], problems=result["problems"][:50],
        excerpt=raw[:EXCERPT].decode("utf-8", "replace")))
    integration.last_delivery_at, integration.last_delivery_status = now, outcome
    integration.last_error = "\n".join(result["problems"][:20]) or None
    db.session.flush()
    keep = select(IngestRecord.id).where(IngestRecord.integration_id == integration.id) \
        .order_by(IngestRecord.id.desc()).limit(KEEP_RECORDS)
    db.session.execute(delete(IngestRecord).where(
        IngestRecord.integration_id == integration.id, IngestRecord.id.not_in(keep.scalar_subquery()))
        .execution_options(synchronize_session=False))


def recent(integration_id: int) -> list[IngestRecord]:
    """The last payloads received, newest first."""
    return list(db.session.scalars(select(IngestRecord).where(
        IngestRecord.integration_id == integration_id).order_by(IngestRecord.id.desc())
        .limit(KEEP_RECORDS)))


def parse_body(raw: bytes):
    """The JSON in ``raw``, or None when it is not JSON."""
    try:
        return bounded_json.loads(raw)
    except ValueError:  # UnicodeDecodeError included
        return None
