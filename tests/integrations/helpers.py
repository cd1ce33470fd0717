"""Shared steps of the channel tests: subscribe a webhook, make retries due, read bodies."""
from __future__ import annotations

import json
from datetime import timedelta

from statuspage.extensions import db
from statuspage.jobs import sweeps
from statuspage.models import Delivery, utcnow


def webhook(api, receiver, path: str = "/hook", **fields) -> dict:
    """An operator's webhook subscriber (active at once); returns the API answer."""
    response = api.post("/api/subscribers", json={"endpoint": receiver.url(path),
                                                  "email": "owner@example.com", **fields})
    assert response.status_code == 201, response.json
    return response.json


def make_due() -> int:
    """Move every waiting retry into the past and requeue it; returns how many."""
    db.session.execute(db.update(Delivery).where(Delivery.status == "PENDING")
                       .values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    return sweeps.tick()["requeued"]


def bodies(receiver, path: str) -> list[dict]:
    return [json.loads(r["body"]) for r in receiver.requests(path)]
