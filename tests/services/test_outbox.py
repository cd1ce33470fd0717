"""The after-commit pipeline: its steps in order, and a channel plugging in beside email."""
import pytest

from statuspage.extensions import db
from statuspage.models import OutboxEvent
from statuspage.services import incidents, outbox
from statuspage.services.context import SYSTEM


def test_the_steps_run_in_their_declared_order(app):
    assert [name for name, _ in outbox.pipeline(app).steps()] == [
        "invalidate the public cache", "publish to the live stream", "schedule maintenance windows",
        "refresh the static snapshot", "queue subscriber imports", "email fan-out", "email sends"]


@pytest.fixture
def webhooks(app):
    """A second channel that records what each of its steps was handed."""
    seen = []
    channel = outbox.Channel("webhooks", fanout=lambda c: seen.append(("fan-out", c.event_ids)),
                             send=lambda c: seen.append(("send", c.sends.get("webhooks"))))
    outbox.pipeline(app).add_channel(channel)
    yield seen
    outbox.pipeline(app).remove_channel("webhooks")


def test_a_new_channel_gets_its_commits_after_the_existing_ones(app, webhooks):
    names = [name for name, _ in outbox.pipeline(app).steps()]
    assert names[-4:] == ["email fan-out", "webhooks fan-out", "email sends", "webhooks sends"]
    incidents.create(SYSTEM, {"title": "Hooked", "severity": "SEV2"})
    outbox.send_after_commit("webhooks", [7, 3, 7])
    db.session.commit()
    event_ids = tuple(db.session.scalars(db.select(OutboxEvent.id).order_by(OutboxEvent.id)))
    assert event_ids and webhooks == [("fan-out", event_ids), ("send", (3, 7))]


def test_a_rolled_back_write_reaches_no_channel(app, webhooks):
    incidents.create(SYSTEM, {"title": "Never", "severity": "SEV2"})
    outbox.send_after_commit("webhooks", [1])
    db.session.flush()
    db.session.rollback()
    db.session.commit()  # an empty commit afterwards carries nothing either
    assert webhooks == []


def test_a_channel_name_is_registered_once(app, webhooks):
    with pytest.raises(ValueError):
        outbox.pipeline(app).add_channel(outbox.Channel("webhooks", fanout=print, send=print))


def test_a_savepoint_runs_nothing_until_the_transaction_commits(app, webhooks):
    with db.session.begin_nested():
        incidents.create(SYSTEM, {"title": "Inside a savepoint", "severity": "SEV2"})
        outbox.send_after_commit("webhooks", [5])
    assert webhooks == []  # released, but nothing is committed yet
    with db.session.begin_nested():
        outbox.send_after_commit("webhooks", [6])
    db.session.commit()
    event_ids = tuple(db.session.scalars(db.select(OutboxEvent.id).order_by(OutboxEvent.id)))
    assert event_ids and webhooks == [("fan-out", event_ids), ("send", (5, 6))]


def test_a_savepoint_rolled_back_keeps_what_the_transaction_did_before(app, webhooks):
    incidents.create(SYSTEM, {"title": "Kept", "severity": "SEV2"})
    outbox.send_after_commit("webhooks", [8])
    with pytest.raises(RuntimeError):
        with db.session.begin_nested():
            outbox.send_after_commit("webhooks", [9])
            raise RuntimeError("one bad row")
    db.session.commit()
    assert [step for step, _ in webhooks] == ["fan-out", "send"]
    assert 8 in webhooks[1][1]
