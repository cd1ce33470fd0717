"""50 concurrent duplicate POSTs with one Idempotency-Key over two web processes: one incident."""
from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import select

from statuspage.models import AuditEvent, Incident, OutboxEvent
from tests.conftest import make_token

from .conftest import count, scalars

pytestmark = pytest.mark.resilience

COPIES = 50
BODY = json.dumps({"title": "Payments down", "severity": "SEV1"}).encode()


def test_duplicate_posts_across_two_processes_create_one_incident(stack):
    webs = [stack.web(), stack.web()]
    token = make_token("responder")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
               "Idempotency-Key": "pay-incident-1"}
    barrier = threading.Barrier(COPIES)
    answers: list[tuple[int, dict]] = [None] * COPIES

    def post(slot):
        barrier.wait()
        status, raw = webs[slot % 2].request("POST", "/api/incidents", BODY, headers)
        answers[slot] = (status, json.loads(raw))

    threads = [threading.Thread(target=post, args=(n,)) for n in range(COPIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = [status for status, _ in answers]
    # The original (201), replays of it (201) or "still in progress" (409): never a second incident.
    assert set(statuses) <= {201, 409}, statuses
    created = {body["id"] for status, body in answers if status == 201}
    assert len(created) == 1
    assert scalars(select(Incident.id)) == list(created)
    assert count(OutboxEvent, OutboxEvent.event_type == "INCIDENT_CREATED") == 1
    assert count(AuditEvent, AuditEvent.action == "incident.created") == 1
    # Afterwards every copy, on either process, replays the stored answer.
    for web in webs:
        status, raw = web.request("POST", "/api/incidents", BODY, headers)
        assert status == 201 and json.loads(raw)["id"] in created
