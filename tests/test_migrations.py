"""Migrations build an empty database, agree with the models, and carry data forward."""
import os
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select

from statuspage import create_app
from statuspage.extensions import db
from statuspage.migration import MIGRATIONS, upgrade
from statuspage.models import EmailDelivery, Subscriber
from statuspage.models.base import UTCDateTime


def test_models_and_migrations_agree(app):
    """Same check as `flask db check`: autogenerate finds nothing to do."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "render_as_batch": True})
        assert compare_metadata(context, db.metadata) == []


def test_upgrade_builds_an_empty_database(tmp_path, instance_dir):
    if os.environ.get("DATABASE_URL"):
        # Named after the suite's database, so parallel runs and workers never share it.
        server, suite_db = os.environ["DATABASE_URL"].rsplit("/", 1)
        fresh_db = f"{suite_db}_migration"
        admin = create_engine(server.replace("postgresql://", "postgresql+psycopg://") + "/postgres",
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {fresh_db}")
            conn.exec_driver_sql(f"CREATE DATABASE {fresh_db}")
        target = f"{server}/{fresh_db}"
    else:
        target = f"sqlite:///{tmp_path / 'fresh.db'}"
    fresh = create_app({"TESTING": True, "INSTANCE_PATH": str(instance_dir), "SECRET_KEY": "x",
                        "SQLALCHEMY_DATABASE_URI": target.replace("postgresql://", "postgresql+psycopg://")})
    with fresh.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        assert "alembic_version" in tables
        db.engine.dispose()
    if os.environ.get("DATABASE_URL"):
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE {fresh_db}")
        admin.dispose()


@contextmanager
def fresh_database(tmp_path):
    """The URL of an empty database of the suite's backend, dropped afterwards."""
    if not os.environ.get("DATABASE_URL"):
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    server = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    name = f"statuspage_merge_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.replace("postgresql://", "postgresql+psycopg://") + "/postgres",
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield f"{server}/{name}".replace("postgresql://", "postgresql+psycopg://")
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
        admin.dispose()


def _at(day: int) -> datetime:
    return datetime(2026, 1, day, 9, 0, tzinfo=timezone.utc)


_SUBSCRIBERS = sa.table(
    "subscribers", sa.column("id"), sa.column("email"), sa.column("scope"),
    sa.column("incident_id"), sa.column("confirmed_at", UTCDateTime()),
    sa.column("unsubscribed_at", UTCDateTime()), sa.column("suppressed_at", UTCDateTime()),
    sa.column("created_at", UTCDateTime()), sa.column("updated_at", UTCDateTime()))


def _insert(conn, table: str, rows: list[dict], **types) -> None:
    columns = [sa.column(name, types.get(name)) for name in rows[0]]
    conn.execute(sa.table(table, *columns).insert(), rows)


def test_mailbox_migration_merges_spellings_keeping_union_and_earliest_confirmation(
        tmp_path, instance_dir):
    with fresh_database(tmp_path) as url:
        old = create_app({"TESTING": True, "INSTANCE_PATH": str(instance_dir), "SECRET_KEY": "x",
                          "SQLALCHEMY_DATABASE_URI": url})
        with old.app_context():
            upgrade(revision="0001")
            stamp = {"created_at": _at(1), "updated_at": _at(1)}
            with db.engine.begin() as conn:
                _insert(conn, "components", [
                    {"id": i, "name": f"C{i}", "description": "", "position": i,
                     "status": "operational", **stamp} for i in (1, 2)],
                    created_at=UTCDateTime(), updated_at=UTCDateTime())
                _insert(conn, "incidents", [{
                    "id": 1, "title": "Outage", "summary": "", "severity": "SEV2",
                    "status": "investigating", "visibility": "public", "reopen_count": 0,
                    "version": 1, **stamp}], created_at=UTCDateTime(), updated_at=UTCDateTime())
                blank = {"incident_id": None, "confirmed_at": None, "unsubscribed_at": None,
                         "suppressed_at": None, **stamp}
                conn.execute(_SUBSCRIBERS.insert(), [{**blank, **row} for row in [
                    # Two live page subscriptions in two spellings, and one that left.
                    dict(id=1, email="Victim@example.org", scope="components", confirmed_at=_at(10)),
                    dict(id=2, email="victim@example.org", scope="components", confirmed_at=_at(5)),
                    dict(id=3, email="VICTIM@example.org", scope="all", confirmed_at=_at(1),
                         unsubscribed_at=_at(2)),
                    # One incident followed twice (confirmed, and a pending request).
                    dict(id=4, email="victim@example.org", scope="incident", incident_id=1,
                         confirmed_at=_at(3)),
                    dict(id=5, email="Victim@Example.org", scope="incident", incident_id=1),
                    dict(id=6, email="other@example.org", scope="all", confirmed_at=_at(4)),
                ]])
                _insert(conn, "subscriber_components", [
                    {"subscriber_id": 1, "component_id": 1}, {"subscriber_id": 2, "component_id": 2},
                    {"subscriber_id": 3, "component_id": 1}])
                _insert(conn, "outbox_events", [{
                    "id": 1, "event_type": "INCIDENT_CREATED", "audience": "public", "payload": {},
                    "public_payload": {},
                    "incident_id": 1, "fanout_status": "done", "created_at": _at(11)}],
                    payload=sa.JSON(), public_payload=sa.JSON(), created_at=UTCDateTime())
                _insert(conn, "email_deliveries", [
                    {"id": n, "subscriber_id": n, "event_id": 1, "kind": "notification",
                     "to_address": email, "subject": "s", "status": "SENT", "attempts": 1, **stamp}
                    for n, email in ((1, "Victim@example.org"), (2, "victim@example.org"))],
                    created_at=UTCDateTime(), updated_at=UTCDateTime())
            db.engine.dispose()

        upgraded = create_app({"TESTING": True, "INSTANCE_PATH": str(instance_dir),
                               "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
        with upgraded.app_context():
            upgrade()
            victim = db.session.scalars(select(Subscriber).where(
                Subscriber.email_key == "victim@example.org").order_by(Subscriber.id)).all()
            page, follow = victim
            assert (page.scope, page.confirmed_at, page.unsubscribed_at) == ("components", _at(5), None)
            assert sorted(c.component_id for c in page.components) == [1, 2]
            assert (follow.scope, follow.incident_id, follow.confirmed_at) == ("incident", 1, _at(3))
            other = db.session.scalar(select(Subscriber).where(Subscriber.email == "other@example.org"))
            assert (other.email_key, other.confirmed_at) == ("other@example.org", _at(4))
            # Delivery history stays; a duplicate for the same event no longer names a subscriber.
            sent = db.session.scalars(select(EmailDelivery).order_by(EmailDelivery.id)).all()
            assert sorted(d.subscriber_id or 0 for d in sent) == [0, page.id]
            db.session.remove()
            db.engine.dispose()


def test_flask_db_runs_flask_migrates_commands(tmp_path, instance_dir):
    """`flask db` loads Flask-Migrate when it runs: its subcommands and their options."""
    fresh = create_app({"TESTING": True, "INSTANCE_PATH": str(instance_dir), "SECRET_KEY": "x",
                        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.db'}"})
    runner = fresh.test_cli_runner()
    listed = runner.invoke(args=["--help"])
    assert listed.exit_code == 0 and "Perform database migrations." in listed.output

    with fresh.app_context():  # the commands run in the current app's context: this one's
        upgraded = runner.invoke(args=["db", "--directory", str(MIGRATIONS), "upgrade", "0002_subscriber_mailbox"])
        assert upgraded.exit_code == 0, upgraded.output
        assert db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() \
            == "0002_subscriber_mailbox"
        db.engine.dispose()

    usage = runner.invoke(args=["db", "upgradee"])
    assert usage.exit_code == 2 and "No such command 'upgradee'" in usage.output
