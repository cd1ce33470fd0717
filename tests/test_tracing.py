"""Tracing: off and not even imported by default; with an OTLP endpoint, spans are exported."""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.subprocess_app import run_child

# What is traced and exported is the same on either database.
pytestmark = pytest.mark.once(backend="postgres")

# redis-py 8 imports the OpenTelemetry *metrics* API for its own optional
# observability whenever the packages are installed; that is redis-py's, not
# tracing. What must stay unloaded is everything tracing brings: the trace SDK,
# the exporter and the instrumentations.
TRACING_MODULES = ("opentelemetry.sdk.trace", "opentelemetry.exporter",
                   "opentelemetry.instrumentation")

NOT_IMPORTED_CHILD = """
import json, sys
from statuspage import create_app
app = create_app({"TESTING": True})
app.test_client().get("/healthz")
print(json.dumps(sorted(m for m in sys.modules if m.startswith(%r))))
""" % (TRACING_MODULES,)

EXPORT_CHILD = """
import json
from statuspage import create_app
app = create_app({"TESTING": True})
client = app.test_client()
client.get("/healthz")           # database and Redis calls (the route itself is excluded)
client.get("/api/incidents")     # a traced Flask request (401)
app.extensions["tracer_provider"].force_flush()
print(json.dumps({"ok": True}))
"""


class Collector(BaseHTTPRequestHandler):
    """A minimal OTLP/HTTP receiver: decodes each protobuf export request."""

    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        for resource_spans in request.resource_spans:
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    self.received.append((self.path, scope_spans.scope.name, span.name))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_nothing_is_imported_when_unset(app):
    assert run_child(app, NOT_IMPORTED_CHILD) == []


def test_flask_sqlalchemy_and_redis_spans_are_exported(app):
    Collector.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_address[1]}"
        run_child(app, EXPORT_CHILD, OTEL_EXPORTER_OTLP_ENDPOINT=endpoint,
                  OTEL_SERVICE_NAME="statuspage-test")
    finally:
        server.shutdown()
        server.server_close()
    scopes = {scope for _path, scope, _name in Collector.received}
    assert {path for path, _s, _n in Collector.received} == {"/v1/traces"}
    assert "opentelemetry.instrumentation.flask" in scopes
    assert "opentelemetry.instrumentation.sqlalchemy" in scopes
    assert "opentelemetry.instrumentation.redis" in scopes
    flask_spans = [name for _p, scope, name in Collector.received
                   if scope == "opentelemetry.instrumentation.flask"]
    assert any("/api/incidents" in name for name in flask_spans)
    assert not any("healthz" in name for name in flask_spans)


def test_missing_extra_is_reported_not_fatal(app):
    """With the endpoint set but the packages absent, the app still starts (tracing off)."""
    code = """
import builtins, json
real_import = builtins.__import__
def no_otel(name, *args, **kwargs):
    if name.startswith("opentelemetry"):
        raise ImportError(name)
    return real_import(name, *args, **kwargs)
builtins.__import__ = no_otel
from statuspage import create_app
app = create_app({"TESTING": True})
print(json.dumps({"traced": "tracer_provider" in app.extensions,
                  "status": app.test_client().get("/healthz").status_code}))
"""
    out = run_child(app, code, OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:9")
    assert out == {"traced": False, "status": 200}
