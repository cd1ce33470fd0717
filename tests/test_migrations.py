"""Migrations build an empty database and agree with the models."""
import os

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect

from statuspage import create_app
from statuspage.extensions import db


def test_models_and_migrations_agree(app):
    """Same check as `flask db check`: autogenerate finds nothing to do."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "render_as_batch": True})
        assert compare_metadata(context, db.metadata) == []


def test_upgrade_builds_an_empty_database(tmp_path, instance_dir):
    if os.environ.get("DATABASE_URL"):
        url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
        admin = create_engine(url.replace("postgresql://", "postgresql+psycopg://"),
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql("DROP DATABASE IF EXISTS statuspage_migration_test")
            conn.exec_driver_sql("CREATE DATABASE statuspage_migration_test")
        target = url.rsplit("/", 1)[0] + "/statuspage_migration_test"
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
            conn.exec_driver_sql("DROP DATABASE statuspage_migration_test")
        admin.dispose()
