"""``flask seed-demo``: covers every screen and is repeatable."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from statuspage import demo
from statuspage.domain.statuses import DELIVERY_STATUSES, INCIDENT_STATUSES, SEVERITIES
from statuspage.extensions import db
from statuspage.models import (ActionItem, AuditEvent, Component, ComponentGroup, EmailDelivery,
                               Incident, IncidentTemplate, Maintenance, Postmortem, Subscriber)

NOW = datetime.fromisoformat("2026-06-15T09:30:00+00:00")
# Salted hashes differ on every run by design; stream bookkeeping records when the
# real publisher ran, not when the story happened.
_SECRET_COLUMNS = {"password_hash", "published_at", "stream_id"}


def dump() -> dict:
    db.session.expire_all()
    tables = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns
                   if c.name not in _SECRET_COLUMNS or table.name == "postmortems"]
        rows = db.session.execute(select(*columns).order_by(*table.primary_key.columns)).all()
        tables[table.name] = [tuple(row) for row in rows]
    return tables


def test_rerun_gives_identical_rows(app):
    token = demo.seed(NOW)
    first = dump()
    assert demo.seed(NOW) == token
    assert dump() == first
    assert len(first["incidents"]) >= 12


def test_covers_every_screen(app):
    demo.seed(NOW)
    groups = db.session.scalars(select(ComponentGroup)).all()
    assert len(groups) == 2 and all(len(g.components) >= 3 for g in groups)
    assert db.session.scalar(select(func.count()).select_from(Component)) >= 6
    incidents = db.session.scalars(select(Incident)).all()
    assert {i.status for i in incidents} == set(INCIDENT_STATUSES)
    assert {i.severity for i in incidents} == set(SEVERITIES)
    assert {i.severity for i in incidents if i.status != "resolved"} == set(SEVERITIES)
    assert any(i.reopen_count for i in incidents)
    assert any(i.visibility == "internal" for i in incidents)
    resolved = [i for i in incidents if i.status == "resolved"]
    ages = sorted((NOW - i.resolved_at).days for i in resolved)
    assert ages[0] <= 7 and ages[-1] >= 80 and all(a <= 90 for a in ages)
    published = db.session.scalars(select(Postmortem).where(Postmortem.status == "published")).all()
    assert len(published) >= 6 and db.session.scalar(
        select(func.count()).select_from(Postmortem).where(Postmortem.status == "draft")) == 1
    assert {a.status for a in db.session.scalars(select(ActionItem))} == {"open", "in_progress", "done"}
    windows = {m.status for m in db.session.scalars(select(Maintenance))}
    assert {"scheduled", "in_progress", "completed"} <= windows
    running = db.session.scalar(select(Maintenance).where(Maintenance.status == "in_progress"))
    assert all(c.component.status == "under_maintenance" for c in running.components)
    kinds = {t.kind for t in db.session.scalars(select(IncidentTemplate))}
    assert kinds == {"incident", "update"}
    subs = db.session.scalars(select(Subscriber)).all()
    assert any(s.confirmed_at and not s.unsubscribed_at for s in subs)
    assert any(s.confirmed_at is None for s in subs)
    assert any(s.unsubscribed_at for s in subs)
    assert {s.scope for s in subs} == {"all", "components", "incident"}
    assert {d.status for d in db.session.scalars(select(EmailDelivery))} == set(DELIVERY_STATUSES)
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"incident.created", "incident.transitioned", "postmortem.published",
            "maintenance.started", "maintenance.completed", "user.created", "token.created",
            "subscriber.confirmed", "template.created", "component.created"} <= actions
    # Audit ids grow with time, so "newest first" by id matches the story.
    times = db.session.scalars(select(AuditEvent.created_at).order_by(AuditEvent.id)).all()
    assert times == sorted(times) and times[-1] <= NOW
    assert times[0] >= NOW - timedelta(days=92)


def test_cli_prints_login_and_token(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1].split()[-1]
    client = app.test_client()
    response = client.get("/api/incidents/analytics",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json["active"] == 4
    assert demo.DEMO_EMAIL in result.output
