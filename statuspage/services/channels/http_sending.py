"""Send claimed webhook, Slack and Teams deliveries over HTTP, each row keeping its state.

2xx: SENT. 410 Gone: FAILED, and the subscription ends (an integration is
disabled). Refused by the SSRF guard: FAILED at once. Anything else (other
status, timeout, connection error): another attempt after the email backoff,
FAILED after the last; a webhook subscriber whose deliveries keep ending FAILED
is disabled at the limit. Each outcome commits at once, with the receiver's
status code and the first 200 bytes of its answer.

A worker killed mid-request re-sends only the request in flight (the lease
sweep gives it back); its ``webhook-id`` is the same, so receivers de-duplicate.
"""
from __future__ import annotations

import json
import logging
import time
from typing import Optional

from flask import current_app
from sqlalchemy import select

from ... import outbound
from ...extensions import db
from ...models import Integration, utcnow
from .. import integrations, outbox, secretbox, settings, tokens
from ..email import deliveries
from . import chat, render, signing, webhooks

log = logging.getLogger(__name__)


class _Skip(Exception):
    """The row cannot be sent at all (recipient gone, content gone)."""


class _Requests:
    """Builds each row's request, loading an event's rendered bodies and an integration once."""

    def __init__(self, conn):
        self.conn, self.config = conn, current_app.config
        self.events: dict[int, dict] = {}
        self.integrations: dict[int, Optional[tuple]] = {}
        self.page_name: Optional[str] = None

    def _rendered(self, event_id: int, channel: str):
        if event_id not in self.events:
            self.events.update(outbox.rendered_bodies(self.conn, [event_id]))
        body = self.events.get(event_id, {}).get(channel)
        if body is None:
            raise _Skip("Not sent: the event has no public content for this channel.")
        return body

    def _integration(self, integration_id: Optional[int]):
        if integration_id not in self.integrations:
            found = self.conn.execute(select(Integration.enabled, Integration.secret_encrypted)
                                      .where(Integration.id == integration_id)).first()
            self.integrations[integration_id] = found
        found = self.integrations[integration_id]
        if found is None or not found.enabled or not found.secret_encrypted:
            raise _Skip("Not sent: the integration is deleted or disabled.")
        return secretbox.decrypt(found.secret_encrypted)

    def build(self, row) -> tuple[str, bytes, dict]:
        """``(url, body, headers)`` for a claimed row."""
        if row.channel == "webhook":
            if row.subscriber_id is None or row.confirmed_at is None or row.secret_encrypted is None:
                raise _Skip("Not sent: the subscription is not confirmed.")
            if row.unsubscribed_at is not None or row.disabled_at is not None:
                raise _Skip("Not sent: the subscriber unsubscribed or was disabled.")
            unsubscribe = tokens.url("unsubscribe", row.subscriber_id, row.email, row.created_at)
            body = render.webhook_body(self._rendered(row.event_id, "webhook"), unsubscribe)
            msg_id = signing.message_id(row.id, row.created_at)
            return row.endpoint, body, signing.headers(secretbox.decrypt(row.secret_encrypted), msg_id,
                                                        int(time.time()), body)
        url = self._integration(row.integration_id)
        if row.kind == "test":
            if self.page_name is None:  # the stored settings, as every other message says it
                self.page_name = settings.current()["page_name"]
            payload = chat.test_message(row.channel, self.page_name, self.config["PUBLIC_BASE_URL"] + "/status")
        else:
            payload = self._rendered(row.event_id, row.channel)
        return url, json.dumps(payload).encode(), {"Content-Type": "application/json"}


def send_rows(rows: list, deadline: float) -> dict:
    """Send these claimed rows one after another on one database connection."""
    outcome = {"sent": 0, "retry": 0, "failed": 0, "released": 0, "follow_up": []}
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET synchronous_commit TO OFF")
        requests = _Requests(conn)
        for index, row in enumerate(rows):
            if time.monotonic() > deadline:
                deliveries.release(conn, rows[index:])
                conn.commit()
                outcome["released"] += len(rows) - index
                break
            _send_one(conn, requests, row, outcome)
            conn.commit()
    return outcome


def _excerpt(answer: outbound.Response) -> str:
    return answer.body[:200].decode("utf-8", "replace")


def _send_one(conn, requests: _Requests, row, outcome: dict) -> None:
    try:
        url, body, headers = requests.build(row)
        answer = outbound.post(url, body, headers, allow_private=current_app.config["WEBHOOK_ALLOW_PRIVATE"])
    except _Skip as skip:
        return _failed(conn, row, outcome, str(skip))
    except outbound.Refused as refused:
        return _failed(conn, row, outcome, f"Not sent: {refused}")
    except (outbound.OutboundError, ValueError) as exc:
        return _retry(conn, row, outcome, str(exc), None)
    response = (answer.status, _excerpt(answer))
    if 200 <= answer.status < 300:
        deliveries.mark_delivered(conn, row, headers.get("webhook-id") or f"http-{row.id}", response)
        if row.channel == "webhook":
            webhooks.note_success(conn, row.subscriber_id)
        _integration_result(conn, row, "SENT", response)
        outcome["sent"] += 1
    elif answer.status == 410:
        _failed(conn, row, outcome, "410 Gone: the receiver asked to stop.", response)
        if row.channel == "webhook":
            webhooks.unsubscribe_gone(conn, row)
        elif row.integration_id is not None:
            integrations.disable(conn, row.integration_id)
    else:
        _retry(conn, row, outcome, f"HTTP {answer.status}", response)


def _integration_result(conn, row, status: str, response=None, error: Optional[str] = None) -> None:
    if row.integration_id is not None:
        code, excerpt = response or (None, None)
        integrations.record_result(conn, row.integration_id, status, code, excerpt, error)


def _failed(conn, row, outcome: dict, error: str, response=None) -> None:
    deliveries.fail_permanent(conn, row, error, response=response)
    _integration_result(conn, row, "FAILED", response, error)
    outcome["failed"] += 1


def _retry(conn, row, outcome: dict, error: str, response) -> None:
    final = deliveries.fail_transient(conn, row, error, response=response)
    _integration_result(conn, row, "FAILED" if final else "RETRYING", response, error)
    if final:
        outcome["failed"] += 1
        if row.channel == "webhook" and row.subscriber_id is not None:
            outcome["follow_up"] += webhooks.note_failure(conn, row)
    else:
        outcome["retry"] += 1
    log.info("delivery %s (%s) failed: %s", row.id, row.channel, error)
