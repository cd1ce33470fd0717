"""Built-in monitors: configuration, the schedule's claims, and recording results.

A due check is claimed with one compare-and-set on ``next_check_at`` and
``lease_until``, so however many workers look at the same moment, exactly one
runs it, and a check still running holds its monitor until it is recorded.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy import update as sql_update

from ..domain.automation import VERDICT_STATUS, Streaks, classify, next_verdict
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..models import Monitor, MonitorResult, utcnow
from . import audit, components, signals
from .context import Actor

_AUDITED = ("name", "kind", "url", "host", "port", "keyword", "expected_status", "interval_seconds",
            "timeout_seconds", "component_id", "failure_threshold", "recovery_threshold",
            "degraded_ms", "public_metric", "paused")
LEASE_GRACE = timedelta(seconds=5)


def snapshot(monitor: Monitor) -> dict:
    """The audited fields of a monitor."""
    return {f: getattr(monitor, f) for f in _AUDITED}


def get(monitor_id: int) -> Monitor:
    """One monitor (404 when there is none)."""
    monitor = db.session.get(Monitor, monitor_id)
    if monitor is None:
        raise NotFound(f"Monitor {monitor_id} does not exist.")
    return monitor


def list_all() -> list[Monitor]:
    """Every monitor, by name."""
    return list(db.session.scalars(select(Monitor).order_by(Monitor.name, Monitor.id)))


def _check(monitor: Monitor) -> None:
    errors = {}
    if monitor.interval_seconds < current_app.config["MONITOR_MIN_INTERVAL"]:
        errors["interval_seconds"] = [f"At least {current_app.config['MONITOR_MIN_INTERVAL']} s."]
    if monitor.timeout_seconds >= monitor.interval_seconds:
        errors["timeout_seconds"] = ["Must be shorter than the interval."]
    if monitor.kind == "tcp" and not (monitor.host and monitor.port):
        errors["host"] = ["A tcp monitor needs host and port."]
    if monitor.kind in ("http", "keyword") and not monitor.url:
        errors["url"] = ["An http or keyword monitor needs a url."]
    if monitor.kind == "keyword" and not monitor.keyword:
        errors["keyword"] = ["A keyword monitor needs a keyword."]
    if errors:
        raise ValidationFailed(errors)
    if monitor.component_id is not None:
        components.get_many([monitor.component_id], field="component_id")


def create(actor: Actor, data: dict) -> Monitor:
    """Add a monitor; its first check is due at once."""
    monitor = Monitor(**data, next_check_at=utcnow())
    _check(monitor)
    db.session.add(monitor)
    db.session.flush()
    audit.record(actor, "monitor.created", "monitor", monitor.id, after=snapshot(monitor))
    return monitor


def update(actor: Actor, monitor_id: int, data: dict) -> Monitor:
    """Edit a monitor (pausing included); a component it drove is left as it is."""
    monitor = get(monitor_id)
    before = snapshot(monitor)
    for key, value in data.items():
        setattr(monitor, key, value)
    _check(monitor)
    if not monitor.paused and before["paused"]:
        monitor.next_check_at = utcnow()
    monitor.updated_at = utcnow()
    db.session.flush()
    b, a = audit.diff(before, snapshot(monitor))
    if a:
        audit.record(actor, "monitor.updated", "monitor", monitor.id, before=b, after=a)
    if "component_id" in a or (monitor.paused and not before["paused"]):
        # A stale verdict must not hold a component; the next checks judge afresh.
        monitor.state, monitor.failures_in_row, monitor.slow_in_row, monitor.successes_in_row = \
            "unknown", 0, 0, 0
        signals.release(_source(monitor), f"Monitor {monitor.name} paused or moved")
    return monitor


def delete(actor: Actor, monitor_id: int) -> None:
    """Remove a monitor with its results; its signal stops firing."""
    monitor = get(monitor_id)
    audit.record(actor, "monitor.deleted", "monitor", monitor.id, before=snapshot(monitor))
    signals.release(_source(monitor), f"Monitor {monitor.name} deleted")
    db.session.delete(monitor)
    db.session.flush()


def _source(monitor: Monitor) -> str:
    return f"monitor:{monitor.id}"


@dataclass(frozen=True)
class Claim:
    """A check one worker may run now: what to check, and when it was due."""

    monitor_id: int
    kind: str
    url: Optional[str]
    host: Optional[str]
    port: Optional[int]
    keyword: Optional[str]
    expected_status: list
    timeout_seconds: float
    due_at: datetime


def claim_due(now: Optional[datetime] = None, limit: int = 100) -> list[Claim]:
    """Claim the checks due at ``now`` (the caller commits); each goes to exactly one caller."""
    now = now or utcnow()
    due = db.session.execute(select(Monitor).where(
        Monitor.paused.is_(False), Monitor.next_check_at <= now,
        or_(Monitor.lease_until.is_(None), Monitor.lease_until < now))
        .order_by(Monitor.next_check_at).limit(limit)).scalars().all()
    claims = []
    for m in due:
        step = timedelta(seconds=m.interval_seconds)
        following = m.next_check_at + step
        if following <= now:  # fell behind (worker down): skip the missed runs
            following = now + step
        won = db.session.execute(sql_update(Monitor).where(
            Monitor.id == m.id, Monitor.next_check_at == m.next_check_at,
            or_(Monitor.lease_until.is_(None), Monitor.lease_until < now)).values(
            next_check_at=following,
            lease_until=now + timedelta(seconds=m.timeout_seconds) + LEASE_GRACE)
            .execution_options(synchronize_session=False)).rowcount == 1
        if won:
            claims.append(Claim(m.id, m.kind, m.url, m.host, m.port, m.keyword,
                                list(m.expected_status or []), m.timeout_seconds, m.next_check_at))
    db.session.expire_all()
    return claims


def record(monitor_id: int, ok: bool, response_ms: Optional[float], error: Optional[str],
           now: Optional[datetime] = None) -> Optional[Monitor]:
    """Store one check's result, update the verdict and, when it changes, the component."""
    now = now or utcnow()
    monitor = db.session.get(Monitor, monitor_id)
    if monitor is None:  # deleted while the check ran
        return None
    db.session.add(MonitorResult(monitor_id=monitor.id, checked_at=now, ok=ok,
                                 response_ms=response_ms, error=(error or None) and error[:300],
                                 failures=0 if ok else 1))
    outcome = classify(ok, response_ms, monitor.degraded_ms)
    before = Streaks(monitor.state, monitor.failures_in_row, monitor.slow_in_row,
                     monitor.successes_in_row)
    after = next_verdict(before, outcome, monitor.failure_threshold, monitor.recovery_threshold)
    monitor.state, monitor.failures_in_row = after.state, after.failures
    monitor.slow_in_row, monitor.successes_in_row = after.slow, after.successes
    monitor.last_checked_at, monitor.lease_until = now, None
    if error:
        monitor.last_error = error[:2000]
    db.session.flush()
    if after.state != before.state and monitor.component_id is not None and not monitor.paused:
        _drive_component(monitor, after.state, error, response_ms)
    return monitor


def _drive_component(monitor: Monitor, state: str, error: Optional[str],
                     response_ms: Optional[float]) -> None:
    source = _source(monitor)
    if state in VERDICT_STATUS:
        why = error or f"answers in {response_ms:.0f} ms (over {monitor.degraded_ms} ms)"
        signal = signals.fire(source, "check", "check", monitor.component_id, VERDICT_STATUS[state],
                              f"Monitor {monitor.name}: {why}"[:500])
    else:
        signal = signals.resolve(source, "check")
        if signal is None:
            return
    reason = "" if signal.firing else f"Monitor {monitor.name}: answering again"
    signals.reconcile(source, [signal], reason=reason)
