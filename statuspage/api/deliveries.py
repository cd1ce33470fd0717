"""Email deliveries for operators: list with counts, retry, test email."""
from __future__ import annotations

from ..schemas.subscribers import (
    DeliveryListArgs,
    DeliveryPageSchema,
    DeliverySchema,
    TestMailSchema,
)
from ..services import subscribers
from ..services.email import deliveries
from .blueprint import bp
from .auth import current_actor
from .endpoint import endpoint


@bp.get("/deliveries")
@endpoint("List email deliveries with counts by status and the worker's state", role="admin",
          args=DeliveryListArgs, response=DeliveryPageSchema, errors=(401, 403, 422),
          tags=("deliveries",))
def list_deliveries(args):
    page, per_page = args.pop("page"), args.pop("per_page")
    found = deliveries.list_deliveries(args, page, per_page)
    counts = deliveries.counts(args)
    return DeliveryPageSchema().dump({
        "items": found.items, "page": found.page, "per_page": found.per_page,
        "total": found.total, "pages": found.pages, "counts": counts,
        "worker": deliveries.worker_status(counts)})


@bp.post("/deliveries/<id:delivery_id>/retry")
@endpoint("Send a FAILED delivery again", role="admin", response=DeliverySchema, write=True,
          errors=(401, 403, 404, 409, 429), tags=("deliveries",))
def retry_delivery(delivery_id):
    return deliveries.retry(current_actor(), delivery_id)


@bp.post("/mail/test")
@endpoint("Queue a test email to an address", role="admin", body=TestMailSchema,
          response=DeliverySchema, status=202, write=True,
          errors=(400, 401, 403, 415, 422, 429), tags=("deliveries",))
def test_mail(body):
    return subscribers.send_test_email(current_actor(), body["email"])
