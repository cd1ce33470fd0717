"""Subscribing (public) and subscriber management (admin)."""
from __future__ import annotations

from flask import Response, json

from ..i18n import reader_locale
from ..net import client_ip
from ..schemas.subscribers import (
    AcceptedSchema,
    SubscribeSchema,
    SubscriberListArgs,
    SubscriberSchema,
    WebhookSubscriberSchema,
)
from ..services import subscribers
from ..services.channels import webhooks
from .blueprint import bp
from .auth import current_actor, operator_or_none
from .endpoint import endpoint

# The same answer for new, pending, confirmed and unsubscribed addresses.
ACCEPTED = {"status": "accepted",
            "detail": "If the address can receive email, a confirmation link is on its way."}


@bp.post("/subscribers")
@endpoint("Subscribe an email address or, with `endpoint`, a webhook (double opt-in by the "
          "owner's email; always the same 202 answer). With an admin token a webhook is active "
          "at once: 201 with its signing secret, shown this once.", role=None,
          body=SubscribeSchema, response=AcceptedSchema, status=202, write=True, idempotent=False,
          errors=(400, 401, 403, 409, 415, 422, 429), tags=("subscribers",))
def subscribe(body):
    operator = operator_or_none()
    if body.get("endpoint"):
        created = webhooks.subscribe(body["endpoint"], body["email"], incident_id=body.get("incident_id"),
                                     component_ids=body.get("component_ids"), actor=operator,
                                     ip=client_ip(), locale=body.get("locale") or reader_locale())
        if created is not None:
            return Response(json.dumps(WebhookSubscriberSchema().dump(created)), status=201,
                            mimetype="application/json")
    else:
        subscribers.subscribe(body["email"], incident_id=body.get("incident_id"),
                              component_ids=body.get("component_ids"), ip=client_ip(),
                              mode=body.get("mode"), locale=body.get("locale") or reader_locale())
    return dict(ACCEPTED)


@bp.get("/subscribers")
@endpoint("List subscribers", role="admin", args=SubscriberListArgs, response=SubscriberSchema,
          listing="page", errors=(401, 403, 422), tags=("subscribers",))
def list_subscribers(args):
    page, per_page = args.pop("page"), args.pop("per_page")
    return subscribers.list_subscribers(args, page, per_page)


@bp.delete("/subscribers/<id:subscriber_id>")
@endpoint("Delete a subscriber and its deliveries", role="admin", status=204, write=True,
          errors=(401, 403, 404, 429), tags=("subscribers",))
def delete_subscriber(subscriber_id):
    subscribers.delete(current_actor(), subscriber_id)
