"""Demo data for ``flask seed-demo``."""
from __future__ import annotations

from sqlalchemy import text

from .extensions import db
from .services import components, incidents, users
from .services.context import SYSTEM

DEMO_EMAIL = "admin@example.com"
DEMO_PASSWORD = "statuspage-demo"


def wipe() -> None:
    """Delete all rows of every table (children first)."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    if db.engine.dialect.name == "postgresql":
        for table in db.metadata.sorted_tables:
            for column in table.primary_key.columns:
                if column.autoincrement is True or (column.autoincrement == "auto" and len(table.primary_key.columns) == 1):
                    db.session.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), 1, false)"))


def seed() -> str:
    """Wipe and load the showcase data; return the demo admin's API token."""
    wipe()
    admin = users.create_user(SYSTEM, DEMO_EMAIL, "Ada Admin", "admin", DEMO_PASSWORD)
    actor = users.actor_for(admin)
    api = components.create(actor, {"name": "API"})
    components.create(actor, {"name": "Dashboard"})
    incidents.create(actor, {"title": "Elevated API error rate", "severity": "SEV2",
                             "summary": "We are investigating errors on the API.",
                             "components": [{"id": api.id, "status": "partial_outage"}]})
    _token, raw = users.create_token(SYSTEM, admin, "demo")
    db.session.commit()
    return raw
