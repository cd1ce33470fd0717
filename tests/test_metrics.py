"""/metrics: Prometheus text that parses, with request and domain metrics, across processes."""
import os
import subprocess
import sys
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from rq import Queue

from tests.conftest import make_incident
from statuspage import heartbeat, metrics
from statuspage.extensions import db, redis_client
from statuspage.models import EmailDelivery, utcnow
from statuspage.version import __version__

ROOT = Path(__file__).resolve().parent.parent


def scrape(client, **kw):
    response = client.get("/metrics", **kw)
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/plain"
    return {family.name: family for family in
            text_string_to_metric_families(response.get_data(as_text=True))}


def samples(family, name=None, **labels):
    return [s for s in family.samples
            if (name is None or s.name == name)
            and all(s.labels.get(k) == v for k, v in labels.items())]


def value(family, name=None, **labels):
    found = samples(family, name, **labels)
    assert len(found) == 1, (labels, family.samples)
    return found[0].value


def test_domain_metrics(api, client):
    make_incident(api, severity="SEV1")
    make_incident(api, severity="SEV1")
    make_incident(api, severity="SEV3")
    db.session.add_all([
        EmailDelivery(to_address="a@example.com", status="SENT", sent_at=utcnow()),
        EmailDelivery(to_address="b@example.com", status="FAILED", last_error="550"),
        EmailDelivery(to_address="c@example.com", status="FAILED", last_error="550"),
    ])
    db.session.commit()
    email_queue = Queue("email", connection=redis_client.client)
    queued_by_incidents = email_queue.count  # their fan-out jobs
    email_queue.enqueue("time.sleep", 0)
    heartbeat.beat(redis_client.client)

    families = scrape(client)
    active = families["statuspage_active_incidents"]
    assert value(active, severity="SEV1") == 2
    assert value(active, severity="SEV3") == 1
    assert value(active, severity="SEV4") == 0
    deliveries = families["statuspage_email_deliveries"]
    assert value(deliveries, status="SENT") == 1
    assert value(deliveries, status="FAILED") == 2
    assert value(deliveries, status="PENDING") == 0
    depth = families["statuspage_queue_depth"]
    assert value(depth, queue="email") == queued_by_incidents + 1
    assert value(depth, queue="events") == 0
    assert value(families["statuspage_outbox_unpublished"]) == 0
    assert 0 <= value(families["statuspage_worker_heartbeat_age_seconds"]) < 3600
    up = families["statuspage_dependency_up"]
    assert value(up, dependency="db") == 1 and value(up, dependency="redis") == 1
    assert value(families["statuspage_build_info"], version=__version__) == 1
    published = families["statuspage_events_published"]
    assert value(published, "statuspage_events_published_total",
                 event_type="INCIDENT_CREATED") >= 3


def test_request_counts_and_latency_by_route(api, client):
    make_incident(api)
    families = scrape(client)
    total = families["flask_http_request"]
    assert value(total, "flask_http_request_total", method="POST", route="/api/incidents",
                 status="201") >= 1
    latency = families["flask_http_request_duration_seconds"]
    assert value(latency, "flask_http_request_duration_seconds_count", method="POST",
                 route="/api/incidents", status="201") >= 1
    # The route, not the concrete path, so incident ids never become series.
    assert not [s for s in total.samples if s.labels["route"].startswith("/api/incidents/1")]


def test_sse_connections_gauge(client):
    with metrics.sse_connection(), metrics.sse_connection():
        assert value(scrape(client)["statuspage_sse_connections"]) == 2
    assert value(scrape(client)["statuspage_sse_connections"]) == 0


def test_stream_routes_are_counted_but_not_timed(other_app):
    other = other_app()

    @other.get("/api/stream/probe")
    def probe():
        return other.response_class(iter([b"data: x\n\n"]), mimetype="text/event-stream")

    probe_client = other.test_client()
    assert probe_client.get("/api/stream/probe").status_code == 200
    assert probe_client.get("/healthz").status_code == 200
    families = scrape(probe_client)
    assert samples(families["flask_http_request"], route="/api/stream/probe")
    latency = families["flask_http_request_duration_seconds"]
    assert samples(latency, route="/healthz")
    assert not samples(latency, route="/api/stream/probe")


def test_metrics_token(app, client):
    app.config["METRICS_TOKEN"] = "scrape-me"
    try:
        denied = client.get("/metrics")
        assert denied.status_code == 401
        assert denied.mimetype == "application/problem+json"
        assert denied.headers["WWW-Authenticate"] == "Bearer"
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        scrape(client, headers={"Authorization": "Bearer scrape-me"})
    finally:
        app.config["METRICS_TOKEN"] = None


def test_metrics_from_another_process_are_summed(client):
    """What several gunicorn workers (or the RQ worker on the same host) rely on."""
    code = "from statuspage import metrics; metrics.event_published('PROBE_EVENT')"
    for _ in range(2):
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=os.environ.copy(), check=True)
    published = scrape(client)["statuspage_events_published"]
    assert value(published, "statuspage_events_published_total", event_type="PROBE_EVENT") == 2


def test_grafana_dashboard_only_uses_exposed_metrics(api, client):
    """docs/grafana-dashboard.json stays in step with what /metrics really serves."""
    import json
    import re

    make_incident(api)
    heartbeat.beat(redis_client.client)
    with metrics.sse_connection():
        exposed = set()
        for family in scrape(client).values():
            exposed.update(sample.name for sample in family.samples)
    dashboard = json.loads((ROOT / "docs" / "grafana-dashboard.json").read_text())
    used = {name for panel in dashboard["panels"] for target in panel["targets"]
            for name in re.findall(r"\b(?:flask|statuspage)_[a-z_]+", target["expr"])}
    assert used and used <= exposed, used - exposed


def test_open_metrics_never_count_internal_incidents(app, api, client):
    make_incident(api, severity="SEV1", visibility="internal", title="db-7 failover")
    make_incident(api, severity="SEV2")
    open_scrape = client.get("/metrics").get_data(as_text=True)
    assert 'audience="internal"' not in open_scrape
    families = scrape(client)
    active = families["statuspage_active_incidents"]
    assert value(active, severity="SEV1") == 0
    assert value(active, severity="SEV2") == 1
    assert not samples(families["statuspage_events_published"], event_type="INCIDENT_CREATED",
                       audience="internal")
    app.config["METRICS_TOKEN"] = "scrape-me"  # an authenticated scrape sees everything
    try:
        families = scrape(client, headers={"Authorization": "Bearer scrape-me"})
    finally:
        app.config["METRICS_TOKEN"] = None
    active = families["statuspage_active_incidents"]
    assert value(active, severity="SEV1", audience="internal") == 1
    assert value(active, severity="SEV2", audience="public") == 1
