"""Page settings and brand (admins)."""
from __future__ import annotations

from ..schemas.settings import SettingsPatchSchema, SettingsSchema
from ..services import settings
from .auth import current_actor
from .blueprint import bp
from .endpoint import endpoint

TAGS = ("settings",)


@bp.get("/settings")
@endpoint("The page's settings and brand", role="admin", response=SettingsSchema,
          errors=(401, 403), tags=TAGS)
def get_settings():
    return SettingsSchema().dump(settings.current())


@bp.patch("/settings")
@endpoint("Change the page's settings and brand", role="admin", body=SettingsPatchSchema,
          response=SettingsSchema, write=True, errors=(400, 401, 403, 415, 422, 429), tags=TAGS)
def patch_settings(body):
    # Dumped here: a plain dict is sent as is, and its datetimes would become HTTP dates.
    return SettingsSchema().dump(settings.update(current_actor(), body))
