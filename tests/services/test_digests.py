"""Daily digests, driven by an injected clock: 09:00 in the page's zone, at most one a
day, nothing lost (maintenance starts and resolutions included), no email when
nothing changed."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from statuspage.domain.deliveries import digest_due, last_digest_moment
from statuspage.extensions import db
from statuspage.jobs import sweeps
from statuspage.models import OutboxEvent, Subscriber, utcnow
from statuspage.services import outbox
from statuspage.services.email import digests
from tests.conftest import make_incident
from tests.helpers_subs import deliveries, make_subscriber, text_part

ZONE = "Europe/Berlin"


@pytest.fixture(autouse=True)
def _zone(app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_TIMEZONE", ZONE)
    monkeypatch.setitem(app.config, "FANOUT_GRACE_SECONDS", 0)


def _nine(after: datetime, days: int = 0) -> datetime:
    """09:00 in the page's zone on the first day at or after ``after`` (+ ``days``)."""
    local = after.astimezone(ZoneInfo(ZONE))
    moment = datetime.combine(local.date() + timedelta(days=days), time(9), ZoneInfo(ZONE))
    if moment <= local:
        moment += timedelta(days=1)
    return moment


def _daily(email: str) -> Subscriber:
    sub = make_subscriber(email)
    sub.mode = "daily"
    sub.confirmed_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    return sub


def test_the_digest_moment_is_nine_in_the_page_zone():
    winter = datetime(2026, 1, 15, 7, 59, tzinfo=ZoneInfo("UTC"))  # 08:59 in Berlin
    assert last_digest_moment(winter, ZONE) == datetime(2026, 1, 14, 8, 0, tzinfo=ZoneInfo("UTC"))
    assert last_digest_moment(winter + timedelta(minutes=1), ZONE) == winter + timedelta(minutes=1)
    summer = datetime(2026, 7, 15, 7, 0, tzinfo=ZoneInfo("UTC"))  # 09:00 CEST
    assert last_digest_moment(summer, ZONE) == summer
    assert digest_due(None, summer, ZONE)
    assert not digest_due(summer, summer + timedelta(hours=23), ZONE)
    assert digest_due(summer, summer + timedelta(hours=24), ZONE)


def test_one_digest_at_nine_with_everything_since_the_last(api, smtp, run_worker, monkeypatch):
    sink = smtp.start()
    daily = _daily("daily@example.com")
    # The worker's sweep makes the digests due by the clock: it runs at the moment the
    # subscriber confirmed, so a run crossing 09:00 in the page's zone sends none yet.
    confirmed = daily.confirmed_at
    monkeypatch.setattr(sweeps, "utcnow", lambda: confirmed)
    make_subscriber("now@example.com")
    incident = make_incident(api)
    api.post(f"/api/incidents/{incident['id']}/updates", json={"body": "Rolling back **now**."})
    api.post(f"/api/incidents/{incident['id']}/transition", json={"to": "resolved", "message": "Fixed."})
    outbox.record("MAINTENANCE_STARTED", {"maintenance": {"id": 1, "title": "DB upgrade",
                                                          "starts_at": utcnow().isoformat()}},
                  {"maintenance": {"id": 1, "title": "DB upgrade", "starts_at": utcnow().isoformat()}},
                  notify=True)
    db.session.commit()
    run_worker()
    assert deliveries(to_address="daily@example.com") == []  # nothing immediate for daily mode
    assert len(deliveries(to_address="now@example.com")) == 4

    nine = _nine(utcnow())
    assert digests.run(nine - timedelta(minutes=1)) == []  # not yet 09:00
    [digest_id] = digests.run(nine + timedelta(minutes=1))
    assert digests.run(nine + timedelta(hours=3)) == []  # at most one a day
    [row] = deliveries(kind="digest")
    assert row.id == digest_id and row.to_address == "daily@example.com"
    assert len(row.digest_events) == 4
    from statuspage.jobs import email as email_jobs
    email_jobs.send_later([digest_id])
    run_worker()
    [mail] = sink.to("daily@example.com")
    text = text_part(mail)
    assert mail["Subject"] == "[Acme Cloud] Daily digest: 4 updates"
    for expected in ("New incident: Checkout errors", "Rolling back now.", "Resolved",
                     "Maintenance in progress: DB upgrade", "Unsubscribe:"):
        assert expected in text, expected

    # The next day with nothing new: no email, the day still counts as done.
    assert digests.run(_nine(utcnow(), days=1) + timedelta(minutes=1)) == []
    assert len(deliveries(kind="digest")) == 1


def test_events_after_a_digest_go_into_the_next_one(api):
    _daily("daily@example.com")
    make_incident(api, title="First")
    nine = _nine(utcnow())
    assert len(digests.run(nine + timedelta(minutes=1))) == 1
    make_incident(api, title="Second")
    [second] = digests.run(nine + timedelta(days=1, minutes=1))
    rows = deliveries(kind="digest")
    assert len(rows) == 2 and len(rows[1].digest_events) == 1
    assert rows[1].id == second


def test_switching_to_daily_on_the_manage_page_starts_from_now(api, client):
    from tests.helpers_subs import csrf_from
    from statuspage.services import tokens

    sub = make_subscriber("switch@example.com")
    make_incident(api, title="Before the switch")
    path = f"/subscriptions/manage/{tokens.make('manage', sub.id, sub.email)}"
    page = client.get(path)
    response = client.post(path, data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                       "action": "save", "scope": "all", "mode": "daily"})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Subscriber, sub.id).mode == "daily"
    assert digests.run(_nine(utcnow()) + timedelta(minutes=1)) == []  # the old incident is not news


def test_the_digest_carries_the_page_name_set_in_the_console(api):
    assert api.patch("/api/settings", json={"page_name": "Globex"}).status_code == 200
    _daily("daily@example.com")
    make_incident(api)
    db.session.commit()
    from statuspage.services.email import fanout as email_fanout
    for event_id in db.session.scalars(db.select(OutboxEvent.id)):
        email_fanout.fanout(event_id)
    [digest_id] = digests.run(_nine(utcnow()) + timedelta(minutes=1))
    [row] = deliveries(kind="digest")
    assert row.subject.startswith("[Globex] Daily digest")


@pytest.mark.parametrize("locale, one, many", [
    ("en", "[Acme Cloud] Daily digest: 1 update", "[Acme Cloud] Daily digest: 2 updates"),
    ("de", "[Acme Cloud] Tägliche Zusammenfassung: 1 Aktualisierung",
     "[Acme Cloud] Tägliche Zusammenfassung: 2 Aktualisierungen"),
    ("fr", "[Acme Cloud] Résumé quotidien : 1 mise à jour", "[Acme Cloud] Résumé quotidien : 2 mises à jour"),
    ("es", "[Acme Cloud] Resumen diario: 1 actualización", "[Acme Cloud] Resumen diario: 2 actualizaciones"),
    ("pt_BR", "[Acme Cloud] Resumo diário: 1 atualização", "[Acme Cloud] Resumo diário: 2 atualizações"),
    ("ja", "[Acme Cloud] 日次ダイジェスト: 1 件の更新", "[Acme Cloud] 日次ダイジェスト: 2 件の更新"),
])
def test_the_digest_subject_is_in_the_subscribers_language(api, locale, one, many):
    sub = _daily("daily@example.com")
    sub.locale = locale
    db.session.commit()
    make_incident(api, title="First")
    nine = _nine(utcnow())
    assert len(digests.run(nine + timedelta(minutes=1))) == 1
    first = make_incident(api, title="Second")
    api.post(f"/api/incidents/{first['id']}/updates", json={"body": "Still looking."})
    assert len(digests.run(nine + timedelta(days=1, minutes=1))) == 1
    assert [row.subject for row in deliveries(kind="digest")] == [one, many]
