"""Prometheus metrics at /metrics, correct across gunicorn workers and the RQ worker.

prometheus_client picks single- or multi-process storage when it is first
imported, from ``PROMETHEUS_MULTIPROC_DIR``; every process entry point
(``statuspage.entrypoint``, ``gunicorn.conf.py``, the test suite) sets it
before anything imports this module. Every process then writes its own mmap
files there and a scrape sums them. A process started without it (a script
calling ``create_app`` directly) serves its own figures only. Domain figures
that live in the database or Redis (active incidents, deliveries, queue depth)
are computed at scrape time by collectors the factory passes to
:func:`init_app`, so they are right whichever process or dyno serves the scrape.

For the stream code: ``sse_connections.inc()`` when a client connects and
``.dec()`` when it goes away (or ``with sse_connection(): ...``);
``event_published(event_type)`` is called when the outbox publishes an event.
"""
from __future__ import annotations

import hmac
import logging
import time
from contextlib import contextmanager

from flask import Flask, current_app, g, request
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_flask_exporter import PrometheusMetrics

from .config import prometheus_multiproc_dir

log = logging.getLogger(__name__)

SSE_PATH_PREFIX = "/api/stream/"
_LABELS = ("method", "route", "status")

# Registered nowhere in-process: multiprocess mode reads them back from the files.
# Names follow prometheus-flask-exporter's defaults so its dashboards apply.
http_requests = Counter("flask_http_request_total", "HTTP requests (streams included)",
                        _LABELS, registry=None)
http_latency = Histogram(
    "flask_http_request_duration_seconds", "HTTP request duration (streams excluded)", _LABELS,
    registry=None, buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
sse_connections = Gauge("statuspage_sse_connections", "Open server-sent-event connections",
                        registry=None, multiprocess_mode="livesum")
sse_refused = Counter("statuspage_sse_refused_total",
                      "Public stream requests refused at the per-process cap (told to poll)",
                      registry=None)
events_published = Counter("statuspage_events_published_total",
                           "Outbox events appended to the live stream",
                           ("event_type", "audience"), registry=None)
# Samples labelled so are about internal incidents: only a scrape with METRICS_TOKEN sees them.
AUDIENCE_INTERNAL = "internal"


def event_published(event_type: str, public: bool = True) -> None:
    """Count one outbox event appended to the live stream (``public``: the public stream too)."""
    events_published.labels(event_type=event_type,
                            audience="public" if public else AUDIENCE_INTERNAL).inc()


@contextmanager
def sse_connection():
    """Count an open stream for as long as the block runs."""
    sse_connections.inc()
    try:
        yield
    finally:
        sse_connections.dec()


def _route() -> str:
    # The URL rule, not the path: one series per route, not per incident id.
    return request.url_rule.rule if request.url_rule is not None else "<unmatched>"


def _start():
    g.metrics_started = time.perf_counter()


def _observe(response):
    started = g.pop("metrics_started", None)
    if started is None:
        return response
    labels = (request.method, _route(), str(response.status_code))
    http_requests.labels(*labels).inc()
    # A stream's "duration" is how long a client stayed; it would swamp the latency histogram.
    if not request.path.startswith(SSE_PATH_PREFIX):
        http_latency.labels(*labels).observe(time.perf_counter() - started)
    return response


def observe_fast(method: str, route: str, status: int, seconds: float) -> None:
    """Count a request the public fast path answered without entering Flask."""
    labels = (method, route, str(status))
    http_requests.labels(*labels).inc()
    http_latency.labels(*labels).observe(seconds)


def _require_token(view):
    """Optional bearer protection of /metrics (METRICS_TOKEN)."""
    from functools import wraps

    from .api.problems import problem

    @wraps(view)
    def guarded(*args, **kwargs):
        expected = current_app.config.get("METRICS_TOKEN")
        if expected:
            scheme, _, given = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip(), expected):
                return problem(401, "Unauthorized", "Metrics need 'Authorization: Bearer "
                               "<METRICS_TOKEN>'.", headers={"WWW-Authenticate": "Bearer"})
        return view(*args, **kwargs)

    return guarded


_OWN_METRICS = (http_requests, http_latency, sse_connections, sse_refused, events_published)


class _Exporter(PrometheusMetrics):
    """prometheus-flask-exporter's endpoint serving every process's files (or, without a
    multiprocess directory, this process's figures) plus scrape-time collectors."""

    collectors: tuple = ()

    def generate_metrics(self, accept_header=None, names=None):
        from prometheus_client.exposition import choose_encoder

        registry = CollectorRegistry()
        if prometheus_multiproc_dir():
            MultiProcessCollector(registry)
        else:
            for metric in _OWN_METRICS:
                registry.register(metric)
        for collector in self.collectors:
            registry.register(collector)
        if names:
            registry = registry.restricted_registry(names)
        if not current_app.config.get("METRICS_TOKEN"):
            registry = _PublicOnly(registry)  # an open endpoint: anyone may read it
        encoder, content_type = choose_encoder(accept_header)
        return encoder(registry).decode("utf-8"), content_type


class _PublicOnly:
    """A registry view without samples about internal incidents."""

    def __init__(self, registry):
        self.registry = registry

    def collect(self):
        for family in self.registry.collect():
            family.samples = [s for s in family.samples
                              if s.labels.get("audience") != AUDIENCE_INTERNAL]
            yield family


def init_app(app: Flask, collectors: tuple = ()) -> None:
    """Serve /metrics (every process's files, plus ``collectors`` run at scrape time)
    and count every request."""
    from .extensions import limiter

    exporter = _Exporter.for_app_factory(
        export_defaults=False, metrics_decorator=_require_token, registry=CollectorRegistry(),
    )
    exporter.collectors = tuple(collectors)
    exporter.init_app(app)
    app.extensions["prometheus"] = exporter
    view = app.view_functions.get("prometheus_metrics")
    if view is not None:
        limiter.exempt(view)
    app.before_request(_start)
    app.after_request(_observe)

