"""Page settings and brand (admins): the same schema and service as PATCH /api/settings."""
from __future__ import annotations

from flask import render_template, request

from ..domain.branding import AA_UI_CONTRAST, FAVICON_MAX_BYTES, LOGO_MAX_BYTES
from ..schemas.settings import SettingsPatchSchema
from ..services import settings
from . import forms
from .blueprint import bp
from .helpers import actor, back_to, commit, requires

FOOTER_SLOTS = 5
TEXT_FIELDS = ("page_name", "accent_color", "support_url", "announcement", "time_zone")


@bp.get("/settings", endpoint="settings")
@requires("admin")
def settings_page():
    return render_template("admin/settings.html", brand=settings.current(), slots=FOOTER_SLOTS,
                           limits={"logo": LOGO_MAX_BYTES // 1024, "favicon": FAVICON_MAX_BYTES // 1024},
                           contrast=AA_UI_CONTRAST)


def _footer_links(form) -> list[dict]:
    links = []
    for i in range(FOOTER_SLOTS):
        label, url = form.get(f"link-{i}-label", "").strip(), form.get(f"link-{i}-url", "").strip()
        if label or url:
            links.append({"label": label, "url": url})
    return links


@bp.post("/settings")
@requires("admin")
def save_settings():
    form = request.form
    data = {name: form.get(name, "").strip() or None for name in TEXT_FIELDS if name in form}
    data["footer_links"] = _footer_links(form)
    body = forms.load(SettingsPatchSchema, data)
    for name in ("logo", "favicon"):
        upload = request.files.get(name)
        if upload and upload.filename:
            body[name] = (upload.read(max(LOGO_MAX_BYTES, FAVICON_MAX_BYTES) + 1), upload.mimetype)
        elif forms.checked(form, f"remove-{name}"):
            body[name] = None
    settings.update(actor(), body)
    commit()
    return back_to("admin.settings")
