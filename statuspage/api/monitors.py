"""Built-in monitors (admin), their results, and the public response-time series."""
from __future__ import annotations

from ..schemas.monitors import (
    MetricsArgs,
    MetricsSchema,
    MonitorCreateSchema,
    MonitorSchema,
    load_update,
)
from ..services import monitor_metrics, monitors
from .auth import current_actor
from .blueprint import bp
from .endpoint import endpoint, load_body

WRITE_ERRORS = (400, 401, 403, 415, 422, 429)
TAGS = ("monitors",)


@bp.get("/monitors")
@endpoint("List monitors with their verdict and last error", role="admin",
          response=MonitorSchema, listing="items", errors=(401, 403), tags=TAGS)
def list_monitors():
    return monitors.list_all()


@bp.post("/monitors")
@endpoint("Add a monitor (http, tcp or keyword); its first check is due at once", role="admin",
          body=MonitorCreateSchema, response=MonitorSchema, status=201, write=True,
          errors=WRITE_ERRORS, tags=TAGS)
def create_monitor(body):
    return monitors.create(current_actor(), body)


@bp.get("/monitors/<id:monitor_id>")
@endpoint("One monitor", role="admin", response=MonitorSchema, errors=(401, 403, 404), tags=TAGS)
def get_monitor(monitor_id):
    return monitors.get(monitor_id)


@bp.patch("/monitors/<id:monitor_id>")
@endpoint("Edit a monitor (the fields given; its kind is fixed)", role="admin",
          response=MonitorSchema, write=True, errors=WRITE_ERRORS + (404,), tags=TAGS)
def update_monitor(monitor_id):
    return monitors.update(current_actor(), monitor_id, load_body(load_update))


@bp.post("/monitors/<id:monitor_id>/pause")
@endpoint("Pause a monitor (no checks; the component it drove is released)", role="admin",
          response=MonitorSchema, write=True, errors=(401, 403, 404, 429), tags=TAGS)
def pause_monitor(monitor_id):
    return monitors.update(current_actor(), monitor_id, {"paused": True})


@bp.post("/monitors/<id:monitor_id>/resume")
@endpoint("Resume a paused monitor (checked at once)", role="admin", response=MonitorSchema,
          write=True, errors=(401, 403, 404, 429), tags=TAGS)
def resume_monitor(monitor_id):
    return monitors.update(current_actor(), monitor_id, {"paused": False})


@bp.delete("/monitors/<id:monitor_id>")
@endpoint("Delete a monitor and its results", role="admin", status=204, write=True,
          errors=(401, 403, 404, 429), tags=TAGS)
def delete_monitor(monitor_id):
    monitors.delete(current_actor(), monitor_id)


@bp.get("/monitors/<id:monitor_id>/metrics")
@endpoint("A monitor's response times and uptime over 24h, 7d or 30d", role="admin",
          args=MetricsArgs, response=MetricsSchema, errors=(401, 403, 404, 422), tags=TAGS)
def monitor_metrics_admin(monitor_id, args):
    return MetricsSchema().dump(monitor_metrics.series(monitors.get(monitor_id), args["window"]))


@bp.get("/public/metrics/<id:monitor_id>")
@endpoint("Public response times of a monitor shown on the page", role=None, args=MetricsArgs,
          response=MetricsSchema, errors=(404, 422), tags=("public",))
def public_metrics(monitor_id, args):
    monitor = monitor_metrics.public_monitor(monitor_id)
    return MetricsSchema().dump(monitor_metrics.series(monitor, args["window"]))
