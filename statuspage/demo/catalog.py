"""The curated showcase: plain data, with times as offsets from the moment of seeding."""
from __future__ import annotations

from datetime import timedelta

M, H, D = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)

USERS = [
    # (email, name, role)
    ("admin@example.com", "Ada Admin", "admin"),
    ("rui@example.com", "Rui Responder", "responder"),
    ("vic@example.com", "Vic Viewer", "viewer"),
]

GROUPS = [
    ("Core platform", "What customers use directly.",
     ["API", "Dashboard", "Authentication"]),
    ("Infrastructure", "The services underneath.",
     ["Database", "Background jobs", "Webhooks", "CDN"]),
]

DESCRIPTIONS = {
    "API": "REST and GraphQL endpoints.", "Dashboard": "The web app at app.acme.test.",
    "Authentication": "Password, SSO and API-key sign-in.", "Database": "Primary Postgres cluster.",
    "Background jobs": "Exports, imports and scheduled jobs.",
    "Webhooks": "Outgoing event deliveries.", "CDN": "Static assets and downloads.",
}

TEMPLATES = [
    {"kind": "incident", "name": "API degradation", "title": "Elevated API error rate",
     "body": "We are investigating elevated error rates on the API.", "severity": "SEV2",
     "components": [("API", "degraded_performance")], "tags": ["api"]},
    {"kind": "incident", "name": "Database outage", "title": "Database unavailable",
     "body": "The primary database is unavailable; we are failing over.", "severity": "SEV1",
     "components": [("Database", "major_outage"), ("API", "partial_outage")], "tags": ["db"]},
    {"kind": "incident", "name": "Third-party provider issue", "title": "Upstream provider issue",
     "body": "An upstream provider is degraded; we are working with them.", "severity": "SEV3",
     "components": [], "tags": ["vendor"]},
    {"kind": "update", "name": "Still investigating", "title": "", "severity": None, "tags": [],
     "body": "We are still investigating and will post an update within 30 minutes.",
     "components": []},
    {"kind": "update", "name": "Fix deployed", "title": "", "severity": None, "tags": [],
     "body": "A fix has been deployed and we are monitoring the results.", "components": []},
]

# Active incidents: (ago, title, severity, visibility, tags, impacts, summary, steps, next_update)
# steps: (offset after creation, "identified"/... or "update", body, visibility, impacts)
ACTIVE = [
    dict(ago=25 * M, title="Elevated API error rate", severity="SEV1", tags=["api"],
         impacts=[("API", "partial_outage")], next_update=20 * M,
         summary="Some API requests fail with **HTTP 503**. We are investigating.",
         steps=[(6 * M, "update", "Error rate is around 8% of requests in us-east.", "public",
                 [("API", "major_outage")]),
                (12 * M, "update", "Suspect connection-pool exhaustion on db-proxy-2.", "internal", [])]),
    dict(ago=2 * H, title="Delayed webhook deliveries", severity="SEV2", tags=["webhooks"],
         impacts=[("Webhooks", "degraded_performance")], next_update=45 * M,
         summary="Webhook deliveries are delayed by up to 20 minutes.",
         steps=[(20 * M, "identified", "A broker failover left a backlog in the delivery queue.",
                 "public", []),
                (50 * M, "update", "The backlog is draining; deliveries are about 15 minutes late.",
                 "public", [])]),
    dict(ago=5 * H, title="Slow dashboard loads in Europe", severity="SEV3", tags=["dashboard", "eu"],
         impacts=[("Dashboard", "degraded_performance")], next_update=None,
         summary="Dashboard pages load slowly for customers in Europe.",
         steps=[(30 * M, "identified", "A misrouted CDN pool sends EU traffic to us-west.", "public", []),
                (2 * H, "monitoring", "Routing fixed; we are watching latency recover.", "public", [])]),
    dict(ago=1 * D, title="Intermittent CI runner failures", severity="SEV4", tags=["internal"],
         visibility="internal", impacts=[], next_update=None,
         summary="Some CI jobs fail to start. No customer impact.",
         steps=[(40 * M, "update", "Runner image cache is full on two hosts.", "internal", [])]),
]

# Resolved incidents spread over 90 days, each with a postmortem.
# (ago, title, severity, impacts, identify_after, monitor_after, resolve_after, root cause)
RESOLVED = [
    (6 * D, "Search results delayed", "SEV3", [("Background jobs", "degraded_performance")],
     25 * M, 2 * H, 3 * H, "An index rebuild starved the search workers of CPU."),
    (12 * D, "Full API outage", "SEV1", [("API", "major_outage"), ("Database", "major_outage")],
     12 * M, 50 * M, 90 * M, "A schema migration took an exclusive lock on the accounts table."),
    (21 * D, "Elevated database latency", "SEV2", [("Database", "degraded_performance")],
     35 * M, 80 * M, 2 * H, "Autovacuum fell behind on the events table."),
    (34 * D, "Status emails delayed", "SEV4", [],
     None, 30 * M, 70 * M, "Our email provider throttled a new sending domain."),
    (47 * D, "CDN cache misses in Asia-Pacific", "SEV3", [("CDN", "degraded_performance")],
     40 * M, None, 150 * M, "A purge-all was issued instead of a path purge."),
    (63 * D, "Dashboard unavailable", "SEV2", [("Dashboard", "major_outage")],
     8 * M, 30 * M, 55 * M, "A bad front-end build was promoted without its assets."),
    (78 * D, "Database primary failover", "SEV1",
     [("Database", "major_outage"), ("API", "partial_outage")],
     5 * M, 40 * M, 75 * M, "A storage controller on the primary failed."),
    (88 * D, "Webhook signature errors", "SEV3", [("Webhooks", "partial_outage")],
     20 * M, 60 * M, 100 * M, "A key rotation published the new key before signing with it."),
]

# The reopened one: resolved, reopened the next day, resolved again.
REOPENED = dict(
    ago=3 * D, title="Login failures for SSO users", severity="SEV2", tags=["auth", "sso"],
    impacts=[("Authentication", "major_outage")],
    summary="Customers using SSO cannot sign in.",
    steps=[(15 * M, "identified", "An expired IdP signing certificate.", "public", []),
           (60 * M, "resolved", "The certificate has been renewed.", "public", []),
           (20 * H, "investigating", "Some customers still report SSO failures.", "public", []),
           (20 * H + 10 * M, "identified", "A second IdP region kept the old certificate.",
            "public", []),
           (21 * H, "monitoring", "All regions updated; monitoring sign-ins.", "public", []),
           (22 * H, "resolved", "SSO sign-ins are healthy everywhere.", "public", [])],
    root_cause="Certificate renewal covered only one of two IdP regions.",
)

ACTION_ITEMS = [
    ("Alert on the failure mode before customers notice", "Rui Responder", "high"),
    ("Add a runbook entry for this incident type", "Ada Admin", "medium"),
    ("Automate the manual recovery step", "Rui Responder", "low"),
]

MAINTENANCES = [
    # (title, description, component names, starts (from now), duration, final state)
    ("Database minor version upgrade", "Postgres 16.3 → 16.4; brief read-only period.",
     ["Database"], -9 * D, 1 * H, "completed"),
    ("Background job fleet upgrade", "Workers restart in batches; jobs may queue briefly.",
     ["Background jobs"], -30 * M, 2 * H, "in_progress"),
    ("CDN provider migration", "Traffic moves to the new CDN; no downtime expected.",
     ["CDN", "Dashboard"], 2 * D, 3 * H, "scheduled"),
]

SUBSCRIBERS = [
    # (email, scope, detail, state)
    ("alice@example.com", "all", None, "confirmed"),
    ("bob@example.com", "components", ["API", "Database"], "confirmed"),
    ("carol@example.com", "incident", "Elevated API error rate", "confirmed"),
    ("dave@example.com", "all", None, "pending"),
    ("erin@example.com", "all", None, "unsubscribed"),
]
