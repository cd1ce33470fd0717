"""Subscribers as CSV: export, and imports checked at once and run by the worker.

Columns: ``email, endpoint, mode, components, state, created_at, confirmed_at``
(``components`` is a space-separated list of ids; ``state`` and the times are
written by the export and ignored by an import). An import's structure is
checked when it is uploaded (size, header, CSV syntax: line-numbered errors,
nothing stored); each row is then checked by the worker, which reports
created / updated / skipped / invalid with line numbers. Imported email
addresses are pending and get a confirmation email unless the operator states
consent (``confirmed`` + ``consent_note``, kept in the audit trail). A webhook
always waits for its owner to confirm: only they may see its signing secret.
"""
from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Iterator, Optional

from flask import current_app
from sqlalchemy import select, update

from ..domain.subscribers import mailbox_key
from ..errors import NotFound, PayloadTooLarge, ValidationFailed
from ..extensions import db
from ..models import Component, Subscriber, SubscriberComponent, SubscriberImport, utcnow
from . import audit, integrations, outbox, settings, subscribers
from .context import SYSTEM, Actor
from .email import deliveries

COLUMNS = ("email", "endpoint", "mode", "components", "state", "created_at", "confirmed_at")
MAX_BYTES = 1_000_000
MAX_ROWS = 10_000
CHANNEL = "imports"  # the after-commit channel that queues the import job
_COMMIT_EVERY = 500


def export_rows() -> Iterator[str]:
    """The CSV, line by line: every page-level subscriber (email and webhook)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    yield buffer.getvalue()
    stmt = (select(Subscriber).where(Subscriber.scope.in_(subscribers.PAGE_SCOPES))
            .order_by(Subscriber.id).execution_options(yield_per=500))
    for sub in db.session.scalars(stmt):
        buffer.seek(0)
        buffer.truncate()
        state = "disabled" if sub.disabled_at else subscribers.status_of(sub)
        writer.writerow([sub.email, sub.endpoint or "", sub.mode,
                         " ".join(str(c.component_id) for c in sorted(sub.components, key=lambda c: c.component_id)),
                         state, sub.created_at.isoformat(),
                         sub.confirmed_at.isoformat() if sub.confirmed_at else ""])
        yield buffer.getvalue()


def _parse(text: str) -> list[tuple[int, dict]]:
    """``(line number, row)`` pairs; ValidationFailed with line numbers when the CSV is malformed."""
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    rows = []
    try:
        header = reader.fieldnames or []
        unknown = [name for name in header if name not in COLUMNS]
        if "email" not in header or unknown:
            raise ValidationFailed({"line 1": [f"The header must name the column email and only "
                                               f"these: {', '.join(COLUMNS)}."]})
        for row in reader:
            if None in row or any(value is None for value in row.values()):
                raise ValidationFailed({f"line {reader.line_num}": [
                    f"Expected {len(header)} fields."]}, detail="The CSV is malformed.")
            rows.append((reader.line_num, row))
            if len(rows) > MAX_ROWS:
                raise ValidationFailed({"file": [f"At most {MAX_ROWS} rows per import."]})
    except csv.Error as exc:
        raise ValidationFailed({f"line {reader.line_num}": [str(exc)]},
                               detail="The CSV is malformed.") from None
    return rows


def request_import(actor: Actor, text: str, confirmed: bool, consent_note: Optional[str]) -> SubscriberImport:
    """Check the CSV's structure and store it for the worker (queued after commit)."""
    if len(text.encode()) > MAX_BYTES:
        raise PayloadTooLarge(f"An import holds at most {MAX_BYTES // 1000} kB.")
    if confirmed and not (consent_note or "").strip():
        raise ValidationFailed({"consent_note": ["Say how these people consented."]})
    rows = _parse(text)
    job = SubscriberImport(status="pending", csv_text=text, confirmed=confirmed,
                           consent_note=(consent_note or "").strip() or None,
                           requested_by=actor.label, created_at=utcnow())
    db.session.add(job)
    db.session.flush()
    audit.record(actor, "subscribers.import_requested", "subscriber_import", job.id,
                 after={"rows": len(rows), "confirmed": confirmed, "consent_note": job.consent_note})
    outbox.send_after_commit(CHANNEL, [job.id])
    return job


def get_import(import_id: int) -> SubscriberImport:
    """One import and its report (404 when there is none)."""
    job = db.session.get(SubscriberImport, import_id)
    if job is None:
        raise NotFound(f"Import {import_id} does not exist.")
    return job


def recent_imports(limit: int) -> list[SubscriberImport]:
    """The latest imports, newest first (the console shows their reports)."""
    return list(db.session.scalars(select(SubscriberImport).order_by(SubscriberImport.id.desc())
                                   .limit(limit)))


def pending_imports() -> list[int]:
    """Imports nobody ran a while after upload (their job was lost, e.g. Redis was down)."""
    cutoff = utcnow() - timedelta(seconds=current_app.config["FANOUT_GRACE_SECONDS"])
    return list(db.session.scalars(select(SubscriberImport.id).where(
        SubscriberImport.status == "pending", SubscriberImport.created_at <= cutoff)))


def _row_values(row: dict) -> tuple[dict, dict]:
    errors: dict[str, list[str]] = {}
    values = {"endpoint": (row.get("endpoint") or "").strip() or None,
              "mode": (row.get("mode") or "immediate").strip() or "immediate", "components": []}
    try:
        values["email"] = subscribers.normalise_email(row.get("email") or "")
    except ValidationFailed as exc:
        errors.update(exc.extra["errors"])
    if values["mode"] not in ("immediate", "daily") or (values["endpoint"] and values["mode"] == "daily"):
        errors["mode"] = ["immediate or daily (daily for email only)."]
    if values["endpoint"]:
        try:
            integrations.check_url(values["endpoint"], "endpoint")
        except ValidationFailed as exc:
            errors.update(exc.extra["errors"])
    raw = (row.get("components") or "").split()
    if not all(part.isdigit() and 0 < int(part) < 2**31 for part in raw):
        errors["components"] = ["Component ids separated by spaces."]
    else:
        ids = sorted({int(part) for part in raw})
        known = set(db.session.scalars(select(Component.id).where(Component.id.in_(ids), Component.active)))
        if set(ids) - known:
            errors["components"] = [f"Unknown component ids: {sorted(set(ids) - known)}"]
        values["components"] = ids
    return values, errors


def _existing(values: dict) -> Optional[Subscriber]:
    stmt = select(Subscriber).where(Subscriber.scope.in_(subscribers.PAGE_SCOPES))
    if values["endpoint"]:
        stmt = stmt.where(Subscriber.channel == "webhook", Subscriber.endpoint == values["endpoint"])
    else:
        stmt = stmt.where(Subscriber.channel == "email", Subscriber.email_key == mailbox_key(values["email"]))
    return db.session.scalar(stmt)


def _apply(job: SubscriberImport, values: dict, locale: str, confirmation_subject: str) -> str:
    sub = _existing(values)
    scope = "components" if values["components"] else "all"
    if sub is not None:
        current = (sub.mode, scope == sub.scope, sorted(c.component_id for c in sub.components))
        if current == (values["mode"], True, values["components"]):
            return "skipped"
        sub.mode, sub.scope = values["mode"], scope
        sub.components = [SubscriberComponent(component_id=i) for i in values["components"]]
        return "updated"
    sub = Subscriber(channel="webhook" if values["endpoint"] else "email", email=values["email"],
                     endpoint=values["endpoint"], mode=values["mode"], scope=scope, locale=locale)
    sub.components = [SubscriberComponent(component_id=i) for i in values["components"]]
    if job.confirmed and not values["endpoint"]:
        sub.confirmed_at = utcnow()
    db.session.add(sub)
    db.session.flush()
    if sub.confirmed_at is None:
        deliveries.create("confirmation", sub.email, confirmation_subject, subscriber_id=sub.id)
    return "created"


def run_import(import_id: int) -> Optional[dict]:
    """Apply an import row by row; returns its counts (None when it already ran)."""
    # Claimed by one conditional update: a twin job (the sweep's) finds nothing to do.
    claimed = db.session.execute(update(SubscriberImport).where(
        SubscriberImport.id == import_id, SubscriberImport.status == "pending")
        .values(status="running")).rowcount
    db.session.commit()
    if not claimed:
        return None
    job = db.session.get(SubscriberImport, import_id)
    counts = {"created": 0, "updated": 0, "skipped": 0, "invalid": 0}
    errors = []
    # A list carries no languages: the page's own is the best guess for its readers.
    locale = settings.current()["default_locale"]
    subject = subscribers.confirmation_subject(locale)
    seen: set[str] = set()
    for index, (line, row) in enumerate(_parse(job.csv_text), start=1):
        values, problems = _row_values(row)
        key = values.get("endpoint") or mailbox_key(values.get("email") or "")
        if not problems and key in seen:
            problems = {"email": ["A repeat of an earlier line."]}
        if problems:
            counts["invalid"] += 1
            errors.append({"line": line, "errors": problems})
            continue
        seen.add(key)
        counts[_apply(job, values, locale, subject)] += 1
        if index % _COMMIT_EVERY == 0:
            db.session.commit()
    job.status, job.counts, job.errors, job.finished_at = "done", counts, errors[:1000], utcnow()
    audit.record(SYSTEM, "subscribers.imported", "subscriber_import", job.id,
                 after={**counts, "confirmed": job.confirmed, "consent_note": job.consent_note})
    db.session.commit()
    return counts
