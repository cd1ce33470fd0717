"""``flask seed-demo``: covers every screen and is repeatable."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from statuspage import demo
from statuspage.domain.statuses import INCIDENT_STATUSES, SEVERITIES
from statuspage.extensions import db
from statuspage.models import (ActionItem, AuditEvent, Component, ComponentGroup, EmailDelivery,
                               Incident, IncidentTemplate, Maintenance, Postmortem, Subscriber, User)
from tests.conftest import make_user

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
    # Finished deliveries only: anything PENDING or SENDING would be sent by the worker.
    assert {d.status for d in db.session.scalars(select(EmailDelivery))} == {"SENT", "FAILED"}
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


# -- demo data never destroys real data --

def _real_user():
    make_user("viewer", "real-person@example.org")


def _real_incident():
    db.session.add(Incident(title="A real outage", severity="SEV2", status="investigating"))
    db.session.commit()


def _real_component():
    db.session.add(Component(name="Real component"))
    db.session.commit()


def _real_subscriber():
    db.session.add(Subscriber(email="reader@example.org", scope="all"))
    db.session.commit()


REAL_DATA = {"user": _real_user, "incident": _real_incident, "component": _real_component,
             "subscriber": _real_subscriber}


def _row_counts() -> dict:
    db.session.expire_all()
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def _refusal(result) -> str:
    """The one-line reason (JSON log lines of background threads may share stdout)."""
    assert result.exit_code != 0, result.output
    lines = [line for line in result.output.strip().splitlines() if not line.startswith("{")]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


@pytest.mark.parametrize("kind", sorted(REAL_DATA))
def test_refuses_to_wipe_data_it_did_not_create(runner, kind):
    REAL_DATA[kind]()
    before = _row_counts()
    reason = _refusal(runner.invoke(args=["seed-demo"]))
    assert "--yes" in reason
    assert _row_counts() == before


@pytest.mark.parametrize("kind", sorted(REAL_DATA))
def test_refuses_once_real_data_joins_the_demo(runner, kind):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    REAL_DATA[kind]()
    before = _row_counts()
    _refusal(runner.invoke(args=["seed-demo"]))
    assert _row_counts() == before


def test_yes_replaces_real_data_with_the_demo(runner):
    _real_user()
    result = runner.invoke(args=["seed-demo", "--yes"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(
        select(func.count()).select_from(User).where(User.email == "real-person@example.org")) == 0


def test_production_always_refuses(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "PRODUCTION", True)
    for args in (["seed-demo"], ["seed-demo", "--yes"]):
        assert "PRODUCTION" in _refusal(runner.invoke(args=args))
    assert _row_counts()["users"] == 0


def test_if_empty_seeds_an_empty_database_and_keeps_any_other(runner):
    first = runner.invoke(args=["seed-demo", "--if-empty"])
    assert first.exit_code == 0, first.output
    seeded = db.session.scalar(select(func.count()).select_from(Incident))
    assert seeded >= 12
    db.session.add(Incident(title="Made after seeding", severity="SEV4", status="investigating"))
    db.session.commit()
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0, again.output
    assert "seed-demo --yes" in again.output
    assert db.session.scalar(select(func.count()).select_from(Incident)) == seeded + 1


def test_seeding_sends_no_email_even_when_the_worker_first_starts(app, smtp, run_worker):
    sink = smtp.start()
    demo.seed()
    run_worker()  # its first heartbeat runs the sweeps: leases, retries, lost fan-outs
    assert sink.messages == []
    db.session.expire_all()
    assert not db.session.scalars(select(EmailDelivery).where(
        EmailDelivery.status.in_(("PENDING", "SENDING")))).all()
