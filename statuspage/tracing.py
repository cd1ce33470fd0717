"""OpenTelemetry tracing, switched on by ``OTEL_EXPORTER_OTLP_ENDPOINT``.

The packages come from the optional ``requirements-otel.txt``; with the
variable unset nothing from ``opentelemetry`` is imported at all, so a plain
install carries no tracing cost. The exporter itself reads the standard
``OTEL_*`` variables (headers, protocol, timeouts).
"""
from __future__ import annotations

import logging

from flask import Flask

log = logging.getLogger(__name__)
_provider = None  # one tracer provider per process, shared by every app instance


def _tracer_provider(service_name: str, endpoint: str):
    global _provider
    if _provider is None:
        from opentelemetry import trace
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        from .version import __version__

        provider = TracerProvider(resource=Resource.create(
            {"service.name": service_name, "service.version": __version__}))
        # OTLP/HTTP expects the base endpoint; the signal path is ours to add.
        url = endpoint.rstrip("/")
        if not url.endswith("/v1/traces"):
            url += "/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=url)))
        trace.set_tracer_provider(provider)
        _provider = provider
    return _provider


def init_app(app: Flask) -> bool:
    """Instrument Flask, SQLAlchemy and Redis when an OTLP endpoint is configured."""
    endpoint = app.config.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    if not endpoint:
        return False
    try:
        from opentelemetry.instrumentation.flask import FlaskInstrumentor
        from opentelemetry.instrumentation.redis import RedisInstrumentor
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
    except ImportError:
        log.error("OTEL_EXPORTER_OTLP_ENDPOINT is set but requirements-otel.txt is not "
                  "installed; tracing stays off")
        return False

    from .extensions import db

    provider = _tracer_provider(app.config["OTEL_SERVICE_NAME"], endpoint)
    FlaskInstrumentor().instrument_app(app, tracer_provider=provider,
                                       excluded_urls="healthz,metrics")
    with app.app_context():
        # The instrumentation declares SQLAlchemy < 2.1 but its engine event hooks work
        # with our 2.1 (tests/test_tracing.py checks the spans arrive).
        SQLAlchemyInstrumentor().instrument(engine=db.engine, tracer_provider=provider,
                                            skip_dep_check=True)
    redis_instrumentor = RedisInstrumentor()
    if not redis_instrumentor.is_instrumented_by_opentelemetry:
        redis_instrumentor.instrument(tracer_provider=provider)
    app.extensions["tracer_provider"] = provider
    log.info("tracing to %s", endpoint)
    return True
