"""The transactional outbox: the one owner of ``outbox_events`` rows and of after-commit work.

A write appends its events with :func:`record`, inside its own transaction.
When the session commits, the app's :class:`Pipeline` runs its steps, in
order, with what the commit carried (a :class:`Committed`); a rollback
discards it, so a rolled-back write notifies no one. The session listeners at
the bottom of this module are the only ones in the application.

The row's later life is here too: :func:`publish_pending` appends committed
events to the Redis stream (``published_at``, ``stream_id``), and the email
fan-out mark (``fanout_status``: none, pending, done) is read and written only
through the functions under "Fan-out marks".
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import chain
from typing import Callable, Iterable, Mapping, Optional, Sequence

import redis
from flask import Flask, current_app, has_app_context
from sqlalchemy import Connection, Select, event as sa_event, func, select, update
from sqlalchemy.orm import Session

from .. import metrics
from ..extensions import db, redis_client
from ..models import OutboxEvent, utcnow

log = logging.getLogger(__name__)

PUBLISH_BATCH = 500


def record(event_type: str, payload: dict, public_payload: Optional[dict] = None, *,
           incident_id: Optional[int] = None, maintenance_id: Optional[int] = None,
           notify: bool = False) -> OutboxEvent:
    """Add an outbox event to the current transaction.

    ``public_payload`` is None for events the public must never see;
    ``notify`` marks events that subscribers receive by email.
    """
    row = OutboxEvent(event_type=event_type,
                      audience="public" if public_payload is not None else "admin",
                      payload=payload, public_payload=public_payload, incident_id=incident_id,
                      maintenance_id=maintenance_id, created_at=utcnow(),
                      fanout_status="pending" if notify else "none")
    db.session.add(row)
    return row


def send_after_commit(channel: str, delivery_ids: Iterable[int]) -> None:
    """Hand these deliveries of ``channel`` to its send step once the transaction commits."""
    _pending(db.session()).sends.setdefault(channel, []).extend(delivery_ids)


# -- the after-commit pipeline --

@dataclass(frozen=True)
class Committed:
    """What one commit carried, as each after-commit step sees it."""

    event_ids: tuple[int, ...] = ()
    public_event: bool = False  # at least one event the public may see
    # Mapped classes of the rows written, less rows the public saw neither before nor
    # after (an internal incident's): those change nothing a reader is served.
    touched: frozenset = frozenset()
    sends: Mapping[str, tuple[int, ...]] = field(default_factory=dict)  # channel -> deliveries


Step = Callable[[Committed], None]


@dataclass(frozen=True)
class Channel:
    """A notification channel's after-commit work: fan events out, send deliveries."""

    name: str
    fanout: Step
    send: Step


class Pipeline:
    """One app's after-commit steps: the core steps in their declared order, then
    every channel's fan-out, then every channel's sends.

    A step that fails is logged and the next one runs: the write is committed
    and must stay so; the worker's sweeps and the outbox relay catch up.
    """

    def __init__(self, steps: Sequence[tuple[str, Step]]):
        self._steps = list(steps)
        self._channels: dict[str, Channel] = {}

    def add_channel(self, channel: Channel) -> None:
        """Plug a channel in; the others are not touched."""
        if channel.name in self._channels:
            raise ValueError(f"channel {channel.name!r} is already registered")
        self._channels[channel.name] = channel

    def remove_channel(self, name: str) -> None:
        """Unplug a channel (tests, and turning a channel off)."""
        self._channels.pop(name, None)

    def steps(self) -> list[tuple[str, Step]]:
        """Every step in the order it runs, with a name for the logs."""
        channels = list(self._channels.values())
        return (self._steps + [(f"{c.name} fan-out", c.fanout) for c in channels]
                + [(f"{c.name} sends", c.send) for c in channels])

    def run(self, committed: Committed) -> None:
        """Run every step for one commit."""
        for name, step in self.steps():
            try:
                step(committed)
            except Exception:  # a failed side effect must never undo a committed write
                log.exception("after-commit step %r failed", name)


def init_app(app: Flask, pipeline: Pipeline) -> None:
    """Run ``pipeline`` after every commit made in this app's context."""
    app.extensions["outbox"] = pipeline


def pipeline(app: Optional[Flask] = None) -> Pipeline:
    """The app's pipeline (where a channel registers)."""
    return (app or current_app).extensions["outbox"]


# -- publishing to the live stream --

# XADD guarded by a per-event marker, atomically: whichever process (request
# after commit, or the worker's relay) gets there first publishes; the other
# gets the existing stream id back. That is what makes publishing exactly-once.
_PUBLISH_LUA = """
local existing = redis.call('GET', KEYS[2])
if existing then return existing end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*',
  'outbox_id', ARGV[2], 'event', ARGV[3], 'admin', ARGV[4], 'public', ARGV[5])
redis.call('SET', KEYS[2], id, 'EX', 604800)
return id
"""


def _compact(value) -> str:
    return "" if value is None else json.dumps(value, separators=(",", ":"))


def publish_pending(limit: int = PUBLISH_BATCH) -> int:
    """Publish unpublished outbox events oldest first; return how many were published.

    Any failure (Redis down) leaves the rest for the next call; nothing is lost
    and, thanks to the marker, nothing goes out twice.
    """
    stream_key = current_app.config["STREAM_KEY"]
    maxlen = current_app.config["STREAM_MAXLEN"]
    script = redis_client.client.register_script(_PUBLISH_LUA)
    published = 0
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(OutboxEvent.id, OutboxEvent.event_type, OutboxEvent.payload,
                   OutboxEvent.public_payload)
            .where(OutboxEvent.published_at.is_(None)).order_by(OutboxEvent.id).limit(limit)
        ).all()
        try:
            for row in rows:
                stream_id = script(
                    keys=[stream_key, f"{stream_key}:published:{row.id}"],
                    args=[maxlen, row.id, row.event_type, _compact(row.payload),
                          _compact(row.public_payload)])
                conn.execute(update(OutboxEvent).where(OutboxEvent.id == row.id)
                             .values(published_at=utcnow(), stream_id=stream_id.decode()))
                published += 1
                metrics.event_published(row.event_type, public=row.public_payload is not None)
        except redis.RedisError as exc:
            log.warning("event stream unavailable, %d event(s) left for the relay: %s",
                        len(rows) - published, exc)
        conn.commit()
    return published


def publish_after_commit(committed: Committed) -> None:
    """After-commit step: publish this commit's events (and any backlog before them)."""
    if committed.event_ids:
        publish_pending()


def unpublished_count(conn: Connection) -> int:
    """Committed events not yet on the live stream."""
    return conn.execute(select(func.count()).select_from(OutboxEvent)
                        .where(OutboxEvent.published_at.is_(None))).scalar_one()


# -- fan-out marks and what fan-out reads --

def awaiting_fanout(event_ids: Iterable[int]) -> list[int]:
    """The events among ``event_ids`` still waiting for their email fan-out."""
    ids = list(event_ids)
    if not ids:
        return []
    with db.engine.connect() as conn:
        return list(conn.execute(select(OutboxEvent.id).where(
            OutboxEvent.id.in_(ids), OutboxEvent.fanout_status == "pending")).scalars())


def stale_fanouts(limit: int = 100) -> list[int]:
    """Events still waiting for fan-out a while after commit (their job was lost)."""
    cutoff = utcnow() - timedelta(seconds=current_app.config["FANOUT_GRACE_SECONDS"])
    with db.engine.connect() as conn:
        return list(conn.execute(select(OutboxEvent.id).where(
            OutboxEvent.fanout_status == "pending", OutboxEvent.created_at <= cutoff,
        ).order_by(OutboxEvent.id).limit(limit)).scalars())


def fanout_target(conn: Connection, event_id: int):
    """The event's fields that fan-out needs, or None unless it awaits fan-out."""
    return conn.execute(select(
        OutboxEvent.id, OutboxEvent.event_type, OutboxEvent.public_payload,
        OutboxEvent.incident_id, OutboxEvent.maintenance_id, OutboxEvent.rendered,
        OutboxEvent.payload,
    ).where(OutboxEvent.id == event_id, OutboxEvent.fanout_status == "pending")).first()


def keep_rendered(conn: Connection, event_id: int, rendered: dict) -> None:
    """Keep the bodies rendered for an event's HTTP deliveries (the first render wins)."""
    conn.execute(update(OutboxEvent).where(OutboxEvent.id == event_id, OutboxEvent.rendered.is_(None))
                 .values(rendered=rendered))


def rendered_bodies(conn: Connection, event_ids: Iterable[int]) -> dict[int, dict]:
    """``{event_id: rendered}`` for these events (missing or never rendered: absent)."""
    rows = conn.execute(select(OutboxEvent.id, OutboxEvent.rendered).where(
        OutboxEvent.id.in_(list(event_ids)), OutboxEvent.rendered.is_not(None))).all()
    return {row.id: row.rendered for row in rows}


def mark_fanned_out(conn: Connection, event_id: int) -> None:
    """Fan-out of this event is complete (in the caller's transaction)."""
    conn.execute(update(OutboxEvent).where(OutboxEvent.id == event_id)
                 .values(fanout_status="done"))


def public_content(conn: Connection, event_id: int):
    """``(event_type, public_payload, maintenance_id)`` of an event, or None if it is gone."""
    return conn.execute(select(OutboxEvent.event_type, OutboxEvent.public_payload,
                               OutboxEvent.maintenance_id)
                        .where(OutboxEvent.id == event_id)).first()


def ids_for_incident(incident_id: int) -> Select:
    """A subquery of the ids of an incident's events (to filter what refers to them)."""
    return select(OutboxEvent.id).where(OutboxEvent.incident_id == incident_id)


def maintenance_ids(event_ids: Iterable[int], event_types: Sequence[str]) -> list[int]:
    """The maintenance windows that these events of the given types are about."""
    with db.engine.connect() as conn:
        return list(conn.scalars(select(OutboxEvent.maintenance_id).where(
            OutboxEvent.id.in_(list(event_ids)), OutboxEvent.event_type.in_(event_types),
            OutboxEvent.maintenance_id.is_not(None)).distinct()))


# -- the session listeners: the only ones in the application --

class _Pending:
    """What a session's open transaction has flushed so far."""

    def __init__(self):
        self.event_ids: list[int] = []
        self.public_event = False
        self.touched: set[type] = set()
        self.sends: dict[str, list[int]] = {}

    def committed(self) -> Committed:
        return Committed(tuple(sorted(self.event_ids)), self.public_event, frozenset(self.touched),
                         {name: tuple(sorted(set(ids))) for name, ids in self.sends.items()})


_SESSION_KEY = "outbox_pending"


def _pending(session: Session) -> _Pending:
    return session.info.setdefault(_SESSION_KEY, _Pending())


def _hidden_from_public(row) -> bool:
    hidden = getattr(row, "hidden_from_public", None)  # declared by the models that can be
    return hidden is not None and hidden()


@sa_event.listens_for(Session, "after_flush")
def _collect(session, _flush_context):
    pending = _pending(session)
    pending.touched.update(type(obj) for obj in chain(session.new, session.dirty, session.deleted)
                           if not _hidden_from_public(obj))
    for obj in session.new:
        if isinstance(obj, OutboxEvent):
            pending.event_ids.append(obj.id)
            pending.public_event = pending.public_event or obj.public_payload is not None


# SQLAlchemy reports a savepoint's release and rollback as a commit and a rollback
# of the session. Only the outermost transaction's end counts: a released
# savepoint is not committed yet, and rolling one back leaves what the transaction
# did before it (any extra ids kept are harmless: later steps read committed rows).
@sa_event.listens_for(Session, "after_rollback")
def _discard(session):
    if not session.in_nested_transaction():
        session.info.pop(_SESSION_KEY, None)


@sa_event.listens_for(Session, "after_commit")
def _run_pipeline(session):
    if session.in_nested_transaction():
        return
    pending = session.info.pop(_SESSION_KEY, None)
    if pending is None or not has_app_context():
        return  # outside an app (scripts): the worker's relay and sweeps catch up
    steps = current_app.extensions.get("outbox")
    if steps is not None:
        steps.run(pending.committed())
