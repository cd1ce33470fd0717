"""Public response times: a page per monitor (inline SVG, no JavaScript) and the SVG alone.

Not in the page cache: results arrive every few seconds without any public
event; a short max-age keeps the load bounded instead.
"""
from __future__ import annotations

from flask import Response, abort, render_template, request

from ..services import monitor_metrics
from .blueprint import bp
from .response_chart import WINDOW_WORDS, chart

MAX_AGE = "public, max-age=30"


def _series(monitor_id: int) -> dict:
    window = request.args.get("window", "24h")
    if window not in monitor_metrics.WINDOWS:
        abort(400, "window must be one of 24h, 7d, 30d.")
    return monitor_metrics.series(monitor_metrics.public_monitor(monitor_id), window)


@bp.get("/status/metrics/<id:monitor_id>")
def metrics(monitor_id):
    series = _series(monitor_id)
    response = Response(render_template("public/metrics.html", series=series, chart=chart(series),
                                        windows=WINDOW_WORDS), mimetype="text/html")
    response.headers["Cache-Control"] = MAX_AGE
    return response


@bp.get("/status/metrics/<id:monitor_id>.svg")
def metrics_svg(monitor_id):
    series = _series(monitor_id)
    response = Response(render_template("public/response_chart.svg", series=series, chart=chart(series)),
                        mimetype="image/svg+xml")
    response.headers["Cache-Control"] = MAX_AGE
    return response
