"""What the worker does between jobs: catching up on lost work."""
from __future__ import annotations

import logging

from flask import current_app

from ..extensions import db
from ..services import idempotency, outbox
from ..services.email import deliveries
from . import email

log = logging.getLogger(__name__)


def tick() -> dict:
    """One pass: fan out events whose job was lost, recover expired leases,
    re-enqueue deliveries that are due (retries) or were never picked up, and
    forget Idempotency-Keys past their retention."""
    try:
        stale = outbox.stale_fanouts()
        email.fanout_later(stale)
        recovered = deliveries.recover_expired_leases()
        due = deliveries.requeue_due()
        email.send_later(recovered + due)
        purged = idempotency.purge_expired(current_app.config["IDEMPOTENCY_TTL_HOURS"])
        return {"fanout": len(stale), "recovered": len(recovered), "requeued": len(due),
                "idempotency_purged": purged}
    finally:
        db.session.remove()
