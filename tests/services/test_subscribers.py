"""One subscriber per mailbox: addresses compare case-insensitively everywhere,
while mail goes to the address as the subscriber typed it."""
from __future__ import annotations

from sqlalchemy import func, select

from statuspage.extensions import db
from statuspage.models import Subscriber
from tests.conftest import make_component, make_incident
from tests.helpers import assert_problem
from tests.helpers_subs import confirm, deliveries, link, subscribe


def _confirmed(client, sink, run_worker, email, **extra) -> None:
    """Subscribe and confirm through the emailed link."""
    subscribe(client, email, **extra)
    run_worker()
    confirm(client, sink.messages[-1])


def _rows(**where) -> list[Subscriber]:
    db.session.expire_all()
    stmt = select(Subscriber).order_by(Subscriber.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(Subscriber, key) == value)
    return list(db.session.scalars(stmt))


def test_two_spellings_of_one_address_make_one_subscriber(client, smtp, run_worker):
    sink = smtp.start()
    subscribe(client, "Victim@example.org")
    subscribe(client, "victim@EXAMPLE.org")
    run_worker()
    [row] = _rows()
    # Mail goes to the address as typed: each confirmation to its request's spelling,
    # and later mail to the spelling of the latest request.
    assert sorted(m["To"] for m in sink.messages) == ["Victim@example.org", "victim@example.org"]
    assert (row.email, row.email_key) == ("victim@example.org", "victim@example.org")


def test_unsubscribing_one_spelling_stops_mail_to_every_spelling(app, client, api, smtp, run_worker):
    sink = smtp.start()
    web = make_component(api, name="Web")
    _confirmed(client, sink, run_worker, "Victim@example.org")
    _confirmed(client, sink, run_worker, "victim@example.org", component_ids=[web["id"]])
    make_incident(api, title="First", components=[{"id": web["id"], "status": "major_outage"}])
    run_worker()
    [note] = [m for m in sink.messages if "First" in m["Subject"]]
    fresh = app.test_client()
    response = fresh.post(link(note, "unsubscribe"), data="List-Unsubscribe=One-Click",
                          content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    before = len(sink.messages)
    make_incident(api, title="Second", components=[{"id": web["id"], "status": "major_outage"}])
    run_worker()
    assert len(sink.messages) == before
    assert all(row.unsubscribed_at is not None for row in _rows())


def test_fan_out_sends_one_email_per_mailbox_across_spellings_and_scopes(client, api, smtp,
                                                                         run_worker):
    sink = smtp.start()
    incident = make_incident(api, title="Followed")
    _confirmed(client, sink, run_worker, "Reader@example.org")
    _confirmed(client, sink, run_worker, "reader@example.org", incident_id=incident["id"])
    assert len(_rows()) == 2  # the page subscription and the incident follow
    api.post(f"/api/incidents/{incident['id']}/updates", json={"body": "Still on it"})
    run_worker()
    notes = [m for m in sink.messages if "Followed" in m["Subject"]]
    assert len(notes) == 1 and len(deliveries(kind="notification")) == 1


def test_a_confirmed_subscriber_keeps_its_scope_until_the_new_one_is_confirmed(client, api, smtp,
                                                                              run_worker):
    sink = smtp.start()
    web = make_component(api, name="Web")
    _confirmed(client, sink, run_worker, "scope@example.org")
    subscribe(client, "Scope@example.org", component_ids=[web["id"]])
    run_worker()
    [row] = _rows()
    assert (row.scope, row.confirmed_at is not None) == ("all", True)  # unchanged so far
    confirm(client, sink.messages[-1])
    [row] = _rows()
    assert row.scope == "components" and [c.component_id for c in row.components] == [web["id"]]
    assert row.unsubscribed_at is None


def test_rate_limit_per_address_ignores_case(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", True)
    monkeypatch.setitem(app.config, "SUBSCRIBE_LIMIT_PER_ADDRESS", (1, 86400))
    subscribe(client, "limit@example.org")
    assert_problem(client.post("/api/subscribers", json={"email": "LIMIT@example.org"}), 429)
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 1
