"""What every commit sets off, declared once and in order.

1. Drop the cached public responses (once per commit), so a client that hears
   of a change and refetches never gets the old page.
2. Publish the commit's events to the live stream.
3. (Re)schedule the maintenance windows the commit created or moved.
4. Queue a refresh of the static copy of the public site (when one is kept).
5. Queue the subscriber imports the commit stored.
6. Each notification channel's fan-out, then 7. each channel's sends.

The email channel's fan-out and send jobs serve every delivery channel (email,
webhooks, Slack, Teams: one delivery row per recipient and event). Another
channel plugs in with
``outbox.pipeline(app).add_channel(Channel(name, fanout=..., send=...))`` and
touches none of the steps above.
"""
from __future__ import annotations

from flask import Flask

from .jobs import email as email_jobs
from .jobs import imports as import_jobs
from .jobs import maintenance as maintenance_jobs
from .jobs import snapshot as snapshot_jobs
from .public import cache as public_cache
from .services import outbox


def init_app(app: Flask) -> None:
    """Give the app its after-commit pipeline."""
    pipeline = outbox.Pipeline([
        ("invalidate the public cache", public_cache.invalidate_after_commit),
        ("publish to the live stream", outbox.publish_after_commit),
        ("schedule maintenance windows", maintenance_jobs.schedule_after_commit),
        ("refresh the static snapshot", snapshot_jobs.refresh_after_commit),
        ("queue subscriber imports", import_jobs.queue_after_commit),
    ])
    pipeline.add_channel(email_jobs.CHANNEL)
    outbox.init_app(app, pipeline)
