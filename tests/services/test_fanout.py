"""Fan-out rules: who gets a delivery row for which event."""
from __future__ import annotations

from datetime import timedelta

from tests.conftest import make_component, make_incident
from tests.helpers_subs import deliveries, make_subscriber
from statuspage.extensions import db, redis_client
from statuspage.models import Maintenance, MaintenanceComponent, OutboxEvent, utcnow
from statuspage.jobs import sweeps
from statuspage.services import outbox
from statuspage.services.email import fanout as notifications


def _recipients(event_type: str) -> list[str]:
    rows = [d for d in deliveries(kind="notification")
            if db.session.get(OutboxEvent, d.event_id).event_type == event_type]
    return sorted(d.to_address for d in rows)


def _fan_out_all():
    for event_id in db.session.scalars(db.select(OutboxEvent.id).order_by(OutboxEvent.id)):
        notifications.fanout(event_id)


def test_rules_table_for_incidents(api):
    web, dbc = make_component(api, name="Web"), make_component(api, name="DB")
    make_subscriber("all@example.com")
    make_subscriber("web@example.com", "components", components=[web["id"]])
    make_subscriber("db@example.com", "components", components=[dbc["id"]])
    make_subscriber("pending@example.com", confirmed=False)
    incident = make_incident(api, components=[{"id": web["id"], "status": "partial_outage"}])
    make_subscriber("follower@example.com", "incident", incident_id=incident["id"])
    other = make_incident(api, title="Other")
    make_subscriber("other@example.com", "incident", incident_id=other["id"])

    api.post(f"/api/incidents/{incident['id']}/transition", json={"to": "identified", "message": "Found"})
    api.post(f"/api/incidents/{incident['id']}/updates", json={"body": "Fix rolling out"})
    api.post(f"/api/incidents/{incident['id']}/updates", json={"body": "internal", "visibility": "internal"})
    api.post(f"/api/incidents/{incident['id']}/updates", json={"body": "quiet", "notify": False})
    _fan_out_all()

    created = [d.to_address for d in deliveries(kind="notification")
               if db.session.get(OutboxEvent, d.event_id).incident_id == incident["id"]
               and db.session.get(OutboxEvent, d.event_id).event_type == "INCIDENT_CREATED"]
    assert sorted(created) == ["all@example.com", "web@example.com"]
    assert _recipients("INCIDENT_STATUS_CHANGED") == ["all@example.com", "follower@example.com"]
    # Only the public, notifying update produced deliveries.
    assert _recipients("INCIDENT_UPDATE_POSTED") == ["all@example.com", "follower@example.com"]


def test_internal_incident_and_notify_false_send_nothing(api):
    make_subscriber("all@example.com")
    make_incident(api, visibility="internal")
    make_incident(api, notify=False)
    _fan_out_all()
    assert deliveries() == []


def test_one_delivery_per_address_and_rerun_creates_nothing(api):
    make_subscriber("twice@example.com")
    incident = make_incident(api)
    make_subscriber("twice@example.com", "incident", incident_id=incident["id"])
    response = api.post(f"/api/incidents/{incident['id']}/updates", json={"body": "More"})
    assert response.status_code == 201
    event_id = db.session.scalar(db.select(OutboxEvent.id).where(
        OutboxEvent.event_type == "INCIDENT_UPDATE_POSTED"))
    assert notifications.fanout(event_id) == 1
    db.session.execute(db.update(OutboxEvent).values(fanout_status="pending"))
    db.session.commit()
    assert notifications.fanout(event_id) == 0  # the unique constraint holds
    assert len(deliveries(event_id=event_id)) == 1


def _maintenance(component_ids) -> Maintenance:
    now = utcnow()
    m = Maintenance(title="DB upgrade", description="Planned **upgrade**.", starts_at=now,
                    ends_at=now + timedelta(hours=2))
    m.components = [MaintenanceComponent(component_id=c) for c in component_ids]
    db.session.add(m)
    db.session.flush()
    return m


def test_maintenance_events_reach_global_and_affected_component_subscribers(api):
    web, dbc = make_component(api, name="Web"), make_component(api, name="DB")
    make_subscriber("all@example.com")
    make_subscriber("db@example.com", "components", components=[dbc["id"]])
    make_subscriber("web@example.com", "components", components=[web["id"]])
    m = _maintenance([dbc["id"]])
    public = {"maintenance": {"id": m.id, "title": m.title, "description": m.description,
                              "starts_at": m.starts_at.isoformat(), "ends_at": m.ends_at.isoformat()}}
    for kind in ("MAINTENANCE_SCHEDULED", "MAINTENANCE_STARTED", "MAINTENANCE_COMPLETED"):
        outbox.record(kind, public, public, maintenance_id=m.id, notify=True)
    db.session.commit()
    _fan_out_all()
    for kind in ("MAINTENANCE_SCHEDULED", "MAINTENANCE_STARTED", "MAINTENANCE_COMPLETED"):
        assert _recipients(kind) == ["all@example.com", "db@example.com"]


def test_postmortem_published_reaches_incident_followers_and_global(api):
    make_subscriber("all@example.com")
    incident = make_incident(api)
    make_subscriber("follower@example.com", "incident", incident_id=incident["id"])
    public = {"incident": {"id": incident["id"], "title": incident["title"], "severity": "SEV2",
                           "status": "resolved", "impact": "major"},
              "postmortem": {"summary": "A bad deploy."}}
    outbox.record("POSTMORTEM_PUBLISHED", public, public, incident_id=incident["id"], notify=True)
    db.session.commit()
    _fan_out_all()
    assert _recipients("POSTMORTEM_PUBLISHED") == ["all@example.com", "follower@example.com"]
    [row] = [d for d in deliveries() if d.to_address == "follower@example.com"]
    assert row.subject == "[Acme Cloud] Major impact, resolved - Postmortem published: Checkout errors"


def test_after_commit_hook_enqueues_and_sweep_recovers_lost_fanout(api, run_worker):
    make_subscriber("all@example.com")
    make_incident(api)
    assert db.session.scalar(db.select(OutboxEvent.fanout_status).where(
        OutboxEvent.event_type == "INCIDENT_CREATED")) == "pending"
    redis_client.client.flushdb()  # the queued fan-out job is lost (Redis restarted empty)
    run_worker()
    assert deliveries() == []
    db.session.execute(db.update(OutboxEvent).values(created_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()
    assert sweeps.tick()["fanout"] == 1
    run_worker()
    [row] = deliveries()
    assert row.status == "SENT"
    db.session.expire_all()
    assert db.session.scalar(db.select(OutboxEvent.fanout_status).where(
        OutboxEvent.event_type == "INCIDENT_CREATED")) == "done"
