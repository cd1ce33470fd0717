"""What the worker does between jobs: catching up on lost work."""
from __future__ import annotations

import logging

from flask import current_app

from ..extensions import db
from ..models import utcnow
from ..services import idempotency, outbox, subscriber_csv
from ..services.email import deliveries, digests
from . import email, imports

log = logging.getLogger(__name__)


def tick() -> dict:
    """One pass: fan out events whose job was lost, recover expired leases,
    re-enqueue deliveries that are due (retries) or were never picked up, and
    create the daily digests that are due, queue imports whose job was lost, and
    forget Idempotency-Keys past their retention."""
    try:
        stale = outbox.stale_fanouts()
        email.fanout_later(stale)
        recovered = deliveries.recover_expired_leases()
        due = deliveries.requeue_due()
        digest_ids = digests.run(utcnow())
        email.send_later(recovered + due + digest_ids)
        imports.import_later(subscriber_csv.pending_imports())
        purged = idempotency.purge_expired(current_app.config["IDEMPOTENCY_TTL_HOURS"])
        return {"fanout": len(stale), "recovered": len(recovered), "requeued": len(due),
                "digests": len(digest_ids), "idempotency_purged": purged}
    finally:
        db.session.remove()
