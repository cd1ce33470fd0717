"""Subscribers as CSV (admin): export, and imports run by the worker."""
from __future__ import annotations

from flask import Response, request

from ..errors import BadRequest, PayloadTooLarge
from ..schemas.subscribers import ImportJsonSchema, ImportSchema
from ..services import subscriber_csv
from .auth import current_actor
from .blueprint import bp
from .endpoint import UnsupportedMediaType, endpoint, load_body

TAGS = ("subscribers",)


@bp.get("/subscribers/export.csv")
@endpoint("Export subscribers as CSV (email, endpoint, mode, components, state, times)",
          role="admin", errors=(401, 403), tags=TAGS, media_type="text/csv")
def export_subscribers():
    # Built whole: the rows are read in batches, and the text is ~100 bytes a subscriber.
    return Response("".join(subscriber_csv.export_rows()), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="subscribers.csv"'})


def _upload() -> dict:
    """The CSV and options from a multipart form (field ``file``) or a JSON body."""
    if (request.content_length or 0) > subscriber_csv.MAX_BYTES + 64_000:
        raise PayloadTooLarge(f"An import holds at most {subscriber_csv.MAX_BYTES // 1000} kB.")
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise BadRequest("Send the CSV in the form field 'file'.")
        raw = upload.read(subscriber_csv.MAX_BYTES + 1)
        if len(raw) > subscriber_csv.MAX_BYTES:
            raise PayloadTooLarge(f"An import holds at most {subscriber_csv.MAX_BYTES // 1000} kB.")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BadRequest("The CSV must be UTF-8.") from None
        form = request.form
        return {"csv": text, "confirmed": form.get("confirmed") in ("true", "1", "on"),
                "consent_note": form.get("consent_note")}
    if request.mimetype == "application/json":
        return load_body(ImportJsonSchema)
    raise UnsupportedMediaType("Send multipart/form-data (field 'file') or application/json.")


@bp.post("/subscribers/import")
@endpoint("Import subscribers from CSV: checked now, applied by the worker (see the import's "
          "report). Imported addresses are pending unless `confirmed` with a `consent_note`.",
          role="admin", response=ImportSchema, status=202, write=True, idempotent=False,
          errors=(400, 401, 403, 413, 415, 422, 429), tags=TAGS)
def import_subscribers():
    body = _upload()
    return subscriber_csv.request_import(current_actor(), body["csv"], body["confirmed"],
                                         body.get("consent_note"))


@bp.get("/subscribers/imports/<id:import_id>")
@endpoint("An import's state and report: counts, and invalid lines with their errors",
          role="admin", response=ImportSchema, errors=(401, 403, 404), tags=TAGS)
def get_import(import_id):
    return subscriber_csv.get_import(import_id)
