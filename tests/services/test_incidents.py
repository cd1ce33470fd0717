"""Incident services: one transaction per write, and races settled by the database."""
import threading

import pytest

from statuspage.errors import InvalidTransition
from statuspage.extensions import db, redis_client
from statuspage.models import AuditEvent, Incident, IncidentUpdate, OutboxEvent
from statuspage.services import incidents
from statuspage.services.context import SYSTEM

from ..conftest import make_incident


def counts():
    return {m.__name__: db.session.query(m).count() for m in (Incident, IncidentUpdate, AuditEvent, OutboxEvent)}


def test_a_failure_after_flush_leaves_no_incident_audit_or_outbox_row(app):
    stream_key = app.config["STREAM_KEY"]
    with pytest.raises(RuntimeError):
        incidents.create(SYSTEM, {"title": "t", "severity": "SEV1"})
        db.session.flush()
        assert counts()["Incident"] == 1  # really written, inside the transaction
        raise RuntimeError("boom after flush")
    db.session.rollback()
    assert counts() == {"Incident": 0, "IncidentUpdate": 0, "AuditEvent": 0, "OutboxEvent": 0}
    assert redis_client.client.xlen(stream_key) == 0  # and nothing was published


def test_a_failing_commit_hook_does_not_undo_the_write(app):
    from statuspage.services import outbox

    def broken(_committed):
        raise RuntimeError("side effect failed")

    outbox.pipeline(app).add_channel(outbox.Channel("broken", fanout=broken, send=broken))
    try:
        incidents.create(SYSTEM, {"title": "t", "severity": "SEV1"})
        db.session.commit()
    finally:
        outbox.pipeline(app).remove_channel("broken")
    assert counts()["Incident"] == 1


def test_racing_transitions_from_the_same_state_one_wins(app, api):
    """Two responders move the same incident at once: exactly one succeeds, the other 409s."""
    incident = make_incident(api)
    barrier = threading.Barrier(2)
    results = {}

    def move(target):
        barrier.wait()
        results[target] = api.post(f"/api/incidents/{incident['id']}/transition", json={"to": target})

    threads = [threading.Thread(target=move, args=(t,)) for t in ("identified", "monitoring")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in results.values())
    assert codes == [200, 409], codes
    winner = next(t for t, r in results.items() if r.status_code == 200)
    db.session.expire_all()
    final = db.session.get(Incident, incident["id"])
    assert final.status == winner
    assert db.session.query(IncidentUpdate).filter_by(kind="transition").count() == 1


def test_transition_checks_the_latest_committed_status(app):
    incident = incidents.create(SYSTEM, {"title": "t", "severity": "SEV1"})
    db.session.commit()
    # Another writer moves it behind our back.
    db.session.execute(db.update(Incident).values(status="identified", version=Incident.version + 1))
    db.session.commit()
    with pytest.raises(InvalidTransition) as caught:
        # The identity map still says "investigating" with the old version.
        incidents.transition(SYSTEM, incident.id, "identified")
    assert caught.value.extra["allowed"] == ["monitoring", "resolved"]
