"""Subscribers and email deliveries: counts by status, retry, test email, worker warning."""
from __future__ import annotations

from flask import render_template, request

from ..domain.deliveries import SUBSCRIBER_CHANNELS
from ..domain.statuses import DELIVERY_STATUSES
from ..errors import BadRequest
from ..schemas.subscribers import TestMailSchema
from ..services import subscriber_csv, subscribers
from ..services.email import deliveries
from . import forms
from .blueprint import bp
from .helpers import actor, back_to, commit, page_arg, requires
from .i18n import _c


@bp.get("/subscribers", endpoint="subscribers")
@requires("admin")
def subscribers_page():
    status = request.args.get("status", "")
    filters = {"status": status} if status in DELIVERY_STATUSES else {}
    channel = request.args.get("channel", "")
    channel_filter = {"channel": channel} if channel in SUBSCRIBER_CHANNELS else {}
    counts = deliveries.counts({})
    return render_template(
        "admin/subscribers.html", counts=counts, worker=deliveries.worker_status(counts),
        deliveries=deliveries.list_deliveries(filters, page_arg(), 25), status=filters.get("status", ""),
        subscribers=subscribers.list_subscribers(channel_filter, page_arg("spage"), 25),
        channel=channel_filter.get("channel", ""), channels=SUBSCRIBER_CHANNELS,
        imports=subscriber_csv.recent_imports(5), imported=request.args.get("imported"),
        statuses=DELIVERY_STATUSES, sent=request.args.get("sent"))


@bp.post("/subscribers/import")
@requires("admin")
def import_subscribers():
    upload = request.files.get("file")
    if upload is None:
        raise BadRequest(_c("Choose a CSV file."))
    try:
        text = upload.read(subscriber_csv.MAX_BYTES + 1).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest(_c("The CSV must be UTF-8.")) from None
    finally:
        upload.close()
    job = subscriber_csv.request_import(actor(), text, request.form.get("confirmed") == "on",
                                        request.form.get("consent_note"))
    commit()
    return back_to("admin.subscribers", "import", imported=job.id)


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
