"""Sending: claims and leases, transient retries with backoff, permanent failures."""
from __future__ import annotations

from datetime import timedelta

from tests.conftest import make_incident
from tests.helpers_subs import deliveries, make_subscriber, subscriber
from tests.mailsink import free_port
from statuspage.extensions import db
from statuspage.models import AuditEvent, EmailDelivery, OutboxEvent, utcnow
from statuspage.services.email import deliveries as delivery_service
from statuspage.jobs import sweeps
from statuspage.services.email import fanout as notifications
from statuspage.services.email import sending as dispatch
from statuspage.services.email import sent_markers


def _notify(api, *emails):
    for email in emails:
        make_subscriber(email)
    make_incident(api)


def _fan_out_now():
    for event_id in db.session.scalars(db.select(OutboxEvent.id).where(OutboxEvent.fanout_status == "pending")):
        notifications.fanout(event_id)


def test_451_is_retried_with_backoff_then_fails_after_the_last_attempt(app, api, smtp, run_worker):
    smtp.start("451 4.7.1 Greylisted, try again later")
    _notify(api, "grey@example.com")
    before = utcnow()
    run_worker()
    [row] = deliveries()
    assert (row.status, row.attempts) == ("PENDING", 1)
    assert "451" in row.last_error
    first_backoff = app.config["DELIVERY_BACKOFF_SECONDS"][0]
    assert row.next_attempt_at >= before + timedelta(seconds=first_backoff)
    assert delivery_service.requeue_due() == []  # not due yet

    # Exhaust the remaining attempts, each one made due by moving time forward.
    for attempt in range(2, len(app.config["DELIVERY_BACKOFF_SECONDS"]) + 2):
        db.session.execute(db.update(EmailDelivery).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        assert sweeps.tick()["requeued"] == 1
        run_worker()
        [row] = deliveries()
        assert row.attempts == attempt
    assert row.status == "FAILED" and "451" in row.last_error
    assert subscriber("grey@example.com").suppressed_at is None  # transient never suppresses


def test_550_fails_at_once_and_suppresses_the_address(api, smtp, run_worker):
    smtp.start("550 5.1.1 No such user")
    _notify(api, "gone@example.com")
    run_worker()
    [row] = deliveries()
    assert (row.status, row.attempts) == ("FAILED", 1)
    assert row.last_error.startswith("550")
    assert subscriber("gone@example.com").suppressed_at is not None
    assert db.session.scalar(db.select(AuditEvent.action).where(
        AuditEvent.action == "subscriber.suppressed")) == "subscriber.suppressed"
    make_incident(api, title="Again")
    run_worker()
    assert len(deliveries()) == 1  # suppressed addresses get no new deliveries


def test_refused_connection_is_transient(app, api, monkeypatch, run_worker):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    _notify(api, "a@example.com", "b@example.com")
    run_worker()
    rows = deliveries()
    assert [r.status for r in rows] == ["PENDING", "PENDING"]
    assert all(r.attempts == 1 and "Connection" in r.last_error for r in rows)


def test_expired_lease_is_recovered_and_sent_once(api, smtp, run_worker):
    sink = smtp.start()
    _notify(api, "crash@example.com")
    _fan_out_now()
    [row_id] = [d.id for d in deliveries()]
    # A worker claimed the row and died mid-send.
    with db.engine.connect() as conn:
        [claimed] = delivery_service.claim(conn, [row_id])
    assert deliveries()[0].status == "SENDING"
    assert sweeps.tick()["recovered"] == 0  # the lease still runs
    db.session.execute(db.update(EmailDelivery).values(lease_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert sweeps.tick()["recovered"] == 1
    run_worker()
    [row] = deliveries()
    assert row.status == "SENT" and len(sink.messages) == 1
    # The dead worker's late outcome cannot touch a row claimed again since.
    with db.engine.connect() as conn:
        delivery_service.fail_transient(conn, claimed, "late")
        conn.commit()
    assert deliveries()[0].status == "SENT"
    # Sweeps and reruns never send a SENT row again.
    db.session.execute(db.update(EmailDelivery).values(updated_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    tick = sweeps.tick()
    assert (tick["fanout"], tick["recovered"], tick["requeued"], tick["digests"]) == (0, 0, 0, 0)
    assert dispatch.send_batch([row_id])["sent"] == 0
    assert len(sink.messages) == 1


def _claimed_then_worker_died(api, email: str, attempts: int = 0):
    """A delivery claimed by a worker that died after the server accepted the message
    but before the SENT mark reached the database; its lease has run out."""
    _notify(api, email)
    _fan_out_now()
    [row_id] = [d.id for d in deliveries()]
    db.session.execute(db.update(EmailDelivery).values(attempts=attempts))
    db.session.commit()
    with db.engine.connect() as conn:
        [claimed] = delivery_service.claim(conn, [row_id])
    sent_markers.remember(claimed.id, "<accepted-before-the-crash@status.test>")
    db.session.execute(db.update(EmailDelivery).values(lease_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    return row_id


def test_a_message_the_server_accepted_before_a_crash_is_not_sent_again(api, smtp, run_worker):
    sink = smtp.start()
    _claimed_then_worker_died(api, "once@example.com")
    assert sweeps.tick()["recovered"] == 0  # settled from the mark instead
    run_worker()
    [row] = deliveries()
    assert (row.status, row.message_id) == ("SENT", "<accepted-before-the-crash@status.test>")
    assert sink.messages == []


def test_a_claim_settles_accepted_rows_a_sweep_put_back_without_sending(api, smtp):
    sink = smtp.start()
    row_id = _claimed_then_worker_died(api, "twice@example.com")
    # As a lease sweep that could not read the marks would leave it.
    db.session.execute(db.update(EmailDelivery).values(status="PENDING", lease_until=None))
    db.session.commit()
    assert dispatch.send_batch([row_id])["already_accepted"] == 1
    assert deliveries()[0].status == "SENT" and sink.messages == []


def test_an_accepted_message_on_its_last_attempt_ends_sent_not_failed(app, api, smtp, run_worker):
    sink = smtp.start()
    last = len(app.config["DELIVERY_BACKOFF_SECONDS"])
    _claimed_then_worker_died(api, "last@example.com", attempts=last)
    sweeps.tick()
    [row] = deliveries()
    assert (row.status, row.message_id) == ("SENT", "<accepted-before-the-crash@status.test>")
    assert sink.messages == []


def test_with_redis_unreachable_each_accepted_message_is_marked_in_the_database(api, smtp,
                                                                              other_app):
    sink = smtp.start()
    _notify(api, "a@example.com", "b@example.com")
    _fan_out_now()
    ids = [d.id for d in deliveries()]
    cut_off = other_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", MAIL_CONNECTIONS=1)
    with cut_off.app_context():
        assert dispatch.send_batch(ids)["sent"] == 2
    assert [d.status for d in deliveries()] == ["SENT", "SENT"] and len(sink.messages) == 2


def test_pending_rows_whose_job_was_lost_are_requeued_after_the_grace_period(api, smtp, run_worker):
    from statuspage.extensions import redis_client

    sink = smtp.start()
    make_subscriber("late@example.com")
    make_incident(api)
    run_worker()  # fan-out ran and queued the send...
    assert len(sink.messages) == 1
    make_incident(api, title="Second")
    run_worker()
    assert len(sink.messages) == 2
    # Rows never picked up (Redis lost the queue) are found by the sweep.
    db.session.execute(db.update(EmailDelivery).values(status="PENDING", updated_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    redis_client.client.flushdb()
    assert sweeps.tick()["requeued"] == 2
    assert sweeps.tick()["requeued"] == 0  # touched: not queued twice in a row


def test_unsubscribed_before_sending_is_not_sent(api, smtp):
    sink = smtp.start()
    _notify(api, "quick@example.com")
    _fan_out_now()
    [row] = deliveries()
    sub = subscriber("quick@example.com")
    sub.unsubscribed_at = utcnow()
    db.session.commit()
    assert dispatch.send_batch([row.id])["failed"] == 1
    assert deliveries()[0].last_error.startswith("Not sent")
    assert sink.messages == []


def test_file_transport_writes_eml_files(app, api, monkeypatch, tmp_path, run_worker):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "MAIL_OUTBOX_DIR", str(tmp_path / "outbox"))
    _notify(api, "file@example.com")
    run_worker()
    [path] = (tmp_path / "outbox").glob("*.eml")
    content = path.read_text()
    assert "To: file@example.com" in content and "List-Unsubscribe-Post" in content
    assert deliveries()[0].status == "SENT"
