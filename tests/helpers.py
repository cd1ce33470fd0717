"""Small queries the tests share: what the audit trail and the outbox hold."""
from __future__ import annotations

from sqlalchemy import func, select

from statuspage.extensions import db
from statuspage.models import AuditEvent, OutboxEvent


def audit_actions(target_type: str | None = None) -> list[str]:
    stmt = select(AuditEvent.action).order_by(AuditEvent.id)
    if target_type:
        stmt = stmt.where(AuditEvent.target_type == target_type)
    db.session.expire_all()
    return list(db.session.scalars(stmt))


def outbox(event_type: str | None = None) -> list[OutboxEvent]:
    stmt = select(OutboxEvent).order_by(OutboxEvent.id)
    if event_type:
        stmt = stmt.where(OutboxEvent.event_type == event_type)
    db.session.expire_all()
    return list(db.session.scalars(stmt))


def counts() -> tuple[int, int]:
    """(audit rows, outbox rows): unchanged after a refused write."""
    db.session.expire_all()
    return (db.session.scalar(select(func.count()).select_from(AuditEvent)),
            db.session.scalar(select(func.count()).select_from(OutboxEvent)))


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["status"] == status and body["title"] and body["type"]
    return body


def session_key_for(user) -> str:
    """A committed console session for ``user``: the value Flask-Login keeps in the cookie."""
    from statuspage.services import user_sessions

    key = user_sessions.start(user)
    db.session.commit()
    return key
