"""Integrations that send alerts in, and built-in monitors (admins only)."""
from __future__ import annotations

from flask import render_template, request

from ..public.response_chart import chart
from ..schemas import alert_sources  # noqa: F401 - registers the alert-sender kinds
from ..schemas.integrations import IntegrationCreateSchema, IntegrationSchema
from ..schemas.monitors import MonitorCreateSchema
from ..services import alert_ingest, components, inbound, integrations, monitor_metrics, monitors
from . import forms
from .blueprint import bp
from .helpers import actor, back_to, commit, requires


def _severity_map(form) -> dict:
    """The severity map from the form's label/status rows (empty rows skipped)."""
    labels, statuses = form.getlist("severity_label"), form.getlist("severity_status")
    return {k.strip(): v for k, v in zip(labels, statuses) if k.strip() and v}


def _integrations_page(shown_once=None, status: int = 200):
    items = [i for i in integrations.list_all() if i.kind in alert_ingest.INBOUND_KINDS]
    shown_url = IntegrationSchema().dump(shown_once).get("ingest_url") if shown_once else None
    return render_template("admin/alerts.html", items=items, shown_once=shown_once,
                           shown_url=shown_url,
                           kinds=alert_ingest.INBOUND_KINDS,
                           default_map=alert_sources.DEFAULT_SEVERITY_MAP), status


@bp.get("/alerts", endpoint="alerts")
@requires("admin")
def alerts_page():
    return _integrations_page()


@bp.post("/alerts")
@requires("admin")
def create_alert_integration():
    data = {**forms.optional(request.form, "kind", "name", "component_label", "incident_visibility"),
            "open_incident": forms.checked(request.form, "open_incident")}
    if severity_map := _severity_map(request.form):
        data["severity_map"] = severity_map
    created = integrations.create(actor(), IntegrationCreateSchema().load(data))
    commit()
    return _integrations_page(shown_once=created, status=201)


@bp.post("/alerts/<id:integration_id>/rotate")
@requires("admin")
def rotate_alert_integration(integration_id):
    rotated = inbound.rotate_secret(actor(), integration_id)
    commit()
    return _integrations_page(shown_once=rotated)


@bp.post("/alerts/<id:integration_id>/delete")
@requires("admin")
def delete_alert_integration(integration_id):
    inbound.inbound(integration_id)
    integrations.delete(actor(), integration_id)
    commit()
    return back_to("admin.alerts")


@bp.get("/alerts/<id:integration_id>")
@requires("admin")
def alert_page(integration_id):
    return render_template("admin/alert.html", item=inbound.inbound(integration_id),
                           payloads=alert_ingest.recent(integration_id))


@bp.get("/monitors", endpoint="monitors")
@requires("admin")
def monitors_page():
    items = monitors.list_all()
    charts = {m.id: chart(monitor_metrics.series(m, "24h")) for m in items}
    return render_template("admin/monitors.html", items=items, charts=charts,
                           all_components=components.list_all())


def _monitor_form(form) -> dict:
    data = forms.optional(form, "name", "kind", "url", "keyword")
    if form.get("kind") == "tcp":
        data.pop("url", None)
        data["host"] = form.get("host", "")
        data["port"] = int(form["port"]) if form.get("port", "").isdigit() else form.get("port")
    for name in ("interval_seconds", "failure_threshold", "recovery_threshold", "degraded_ms",
                 "component_id"):
        raw = form.get(name, "").strip()
        if raw:
            data[name] = int(raw) if raw.isdigit() else raw
    if form.get("timeout_seconds", "").strip():
        data["timeout_seconds"] = form["timeout_seconds"].strip()
    data["public_metric"] = forms.checked(form, "public_metric")
    return {k: v for k, v in data.items() if v != ""}


@bp.post("/monitors")
@requires("admin")
def create_monitor():
    monitors.create(actor(), MonitorCreateSchema().load(_monitor_form(request.form)))
    commit()
    return back_to("admin.monitors")


@bp.post("/monitors/<id:monitor_id>/pause")
@requires("admin")
def pause_monitor(monitor_id):
    monitors.update(actor(), monitor_id, {"paused": not monitors.get(monitor_id).paused})
    commit()
    return back_to("admin.monitors", f"monitor-{monitor_id}")


@bp.post("/monitors/<id:monitor_id>/delete")
@requires("admin")
def delete_monitor(monitor_id):
    monitors.delete(actor(), monitor_id)
    commit()
    return back_to("admin.monitors")
