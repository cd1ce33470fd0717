"""Subscribers and email deliveries: counts by status, retry, test email, worker warning."""
from __future__ import annotations

from flask import render_template, request

from ..domain.statuses import DELIVERY_STATUSES
from ..schemas.subscribers import TestMailSchema
from ..services import subscribers
from ..services.email import deliveries
from . import forms
from .blueprint import bp
from .helpers import actor, back_to, commit, page_arg, requires


@bp.get("/subscribers", endpoint="subscribers")
@requires("admin")
def subscribers_page():
    status = request.args.get("status", "")
    filters = {"status": status} if status in DELIVERY_STATUSES else {}
    counts = deliveries.counts({})
    return render_template(
        "admin/subscribers.html", counts=counts, worker=deliveries.worker_status(counts),
        deliveries=deliveries.list_deliveries(filters, page_arg(), 25), status=filters.get("status", ""),
        subscribers=subscribers.list_subscribers({}, page_arg("spage"), 25),
        statuses=DELIVERY_STATUSES, sent=request.args.get("sent"))


@bp.post("/deliveries/<id:delivery_id>/retry")
@requires("admin")
def retry_delivery(delivery_id):
    deliveries.retry(actor(), delivery_id)
    commit()
    return back_to("admin.subscribers", "deliveries")


@bp.post("/mail/test")
@requires("admin")
def test_mail():
    body = forms.load(TestMailSchema, {"email": request.form.get("email", "")})
    subscribers.send_test_email(actor(), body["email"])
    commit()
    return back_to("admin.subscribers", "test-email", sent=1)


@bp.post("/subscribers/<id:subscriber_id>/delete")
@requires("admin")
def delete_subscriber(subscriber_id):
    subscribers.delete(actor(), subscriber_id)
    commit()
    return back_to("admin.subscribers", "subscriber-list")
