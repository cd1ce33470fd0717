"""Builders for subscribers and helpers to read links out of received emails."""
from __future__ import annotations

import re

from sqlalchemy import select

from statuspage.extensions import db
from statuspage.models import EmailDelivery, Subscriber, SubscriberComponent, utcnow

LINK_RE = re.compile(r"http://status\.test(/subscriptions/(confirm|manage|unsubscribe)/[\w.-]+)")


def make_subscriber(email: str, scope: str = "all", *, components=(), incident_id=None,
                    confirmed: bool = True) -> Subscriber:
    """Builder: a committed subscriber (confirmed unless told otherwise)."""
    sub = Subscriber(email=email, scope=scope, incident_id=incident_id,
                     confirmed_at=utcnow() if confirmed else None)
    sub.components = [SubscriberComponent(component_id=c) for c in components]
    db.session.add(sub)
    db.session.commit()
    return sub


def deliveries(**where) -> list[EmailDelivery]:
    db.session.expire_all()
    stmt = select(EmailDelivery).order_by(EmailDelivery.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(EmailDelivery, key) == value)
    return list(db.session.scalars(stmt))


def subscriber(email: str) -> Subscriber:
    db.session.expire_all()
    return db.session.scalars(select(Subscriber).where(Subscriber.email == email)
                              .order_by(Subscriber.id.desc())).first()


def text_part(message) -> str:
    return message.get_body(("plain",)).get_content()


def html_part(message) -> str:
    return message.get_body(("html",)).get_content()


def link(message, purpose: str) -> str:
    """The path of the first link of that purpose in the text part."""
    for path, kind in LINK_RE.findall(text_part(message)):
        if kind == purpose:
            return path
    raise AssertionError(f"no {purpose} link in:\n{text_part(message)}")


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def subscribe(client, email: str, **extra):
    """``POST /api/subscribers`` as a visitor would; asserts the usual 202."""
    response = client.post("/api/subscribers", json={"email": email, **extra})
    assert response.status_code == 202, response.json
    return response


def confirm(client, message):
    """Open the confirmation link of ``message`` and press Confirm (a POST with CSRF)."""
    path = link(message, "confirm")
    page = client.get(path)
    assert page.status_code == 200 and b"Confirm" in page.data
    response = client.post(path, data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 200, response.data
    return response
