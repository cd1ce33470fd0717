"""The worker's sweep: housekeeping that must happen even when nothing else runs."""
from __future__ import annotations

from datetime import timedelta

from statuspage.extensions import db
from statuspage.jobs import sweeps
from statuspage.models import IdempotencyKey, utcnow

BODY = {"title": "Checkout errors", "severity": "SEV2"}


def _post(api, key):
    return api.post("/api/incidents", json=BODY, headers={"Idempotency-Key": key})


def test_the_sweep_purges_idempotency_keys_past_their_retention(api):
    assert _post(api, "old").status_code == 201
    assert _post(api, "fresh").status_code == 201
    old = db.session.query(IdempotencyKey).filter_by(key="old").one()
    old.created_at = utcnow() - timedelta(hours=25)
    db.session.commit()

    assert sweeps.tick()["idempotency_purged"] == 1

    assert [row.key for row in db.session.query(IdempotencyKey)] == ["fresh"]
