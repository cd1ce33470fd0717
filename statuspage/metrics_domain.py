"""Domain gauges computed at scrape time from the database and Redis.

A handful of indexed GROUP BY counts and one Redis pipeline per scrape: cheap,
and right whichever process or dyno answers the scrape (the worker's own
memory is never needed). A dependency that is down is reported through
``statuspage_dependency_up`` instead of failing the whole scrape.
"""
from __future__ import annotations

import logging

import redis
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily
from rq import Queue
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from . import heartbeat
from .domain.statuses import DELIVERY_STATUSES, SEVERITIES, VISIBILITIES
from .extensions import db, redis_client
from .models import EmailDelivery, Incident
from .queues import QUEUES
from .services import outbox
from .version import __version__

log = logging.getLogger(__name__)


def _db_families():
    with db.engine.connect() as conn:
        active = {(severity, visibility): n for severity, visibility, n in conn.execute(
            select(Incident.severity, Incident.visibility, func.count())
            .where(Incident.status != "resolved")
            .group_by(Incident.severity, Incident.visibility)).all()}
        deliveries = dict(conn.execute(
            select(EmailDelivery.status, func.count()).group_by(EmailDelivery.status)).all())
        backlog = outbox.unpublished_count(conn)
    incidents = GaugeMetricFamily("statuspage_active_incidents",
                                  "Unresolved incidents by severity and audience",
                                  labels=["severity", "audience"])
    for severity in SEVERITIES:
        for visibility in VISIBILITIES:  # the audience label: public or internal
            incidents.add_metric([severity, visibility], active.get((severity, visibility), 0))
    mails = GaugeMetricFamily("statuspage_email_deliveries",
                              "Email deliveries by status", labels=["status"])
    for status in DELIVERY_STATUSES:
        mails.add_metric([status], deliveries.get(status, 0))
    unpublished = GaugeMetricFamily("statuspage_outbox_unpublished",
                                    "Committed events not yet on the live stream", value=backlog)
    return [incidents, mails, unpublished]


def _redis_families():
    connection = redis_client.client
    pipe = connection.pipeline(transaction=False)
    for name in QUEUES:
        pipe.llen(Queue(name, connection=connection).key)
    depths = pipe.execute()
    queue = GaugeMetricFamily("statuspage_queue_depth", "Jobs waiting per RQ queue",
                              labels=["queue"])
    for name, depth in zip(QUEUES, depths):
        queue.add_metric([name], depth)
    families = [queue]
    age = heartbeat.age_seconds(connection)
    if age is not None:
        families.append(GaugeMetricFamily(
            "statuspage_worker_heartbeat_age_seconds",
            "Seconds since the RQ worker last reported alive", value=age))
    return families


class DomainCollector:
    """A prometheus_client custom collector; ``collect`` runs inside the scrape request."""

    def collect(self):
        info = InfoMetricFamily("statuspage_build", "Running version")
        info.add_metric([], {"version": __version__})
        yield info
        up = GaugeMetricFamily("statuspage_dependency_up",
                               "1 when the dependency answered this scrape", labels=["dependency"])
        for name, produce, errors in (("db", _db_families, SQLAlchemyError),
                                      ("redis", _redis_families, redis.RedisError)):
            try:
                families = produce()
            except errors as exc:
                log.warning("metrics: %s unavailable: %s", name, exc)
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from families
        yield up
