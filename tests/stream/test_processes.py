"""Two web processes on different ports sharing Redis, and the maximum stream age."""
from __future__ import annotations

import pytest

from tests.conftest import make_token

from .conftest import create_incident
from .servers import WebServer, base_env
from .sse_client import Comment, SSEClient

pytestmark = pytest.mark.slow(seconds=25)


def test_event_written_through_one_process_reaches_a_client_of_another(instance_dir, tmp_path):
    writer = WebServer(base_env(instance_dir), tmp_path)
    reader = WebServer(base_env(instance_dir, STREAM_MAX_AGE_SECONDS=5), tmp_path)
    try:
        assert writer.port != reader.port
        token = make_token("responder")
        with SSEClient(reader.port, "/api/stream/public") as stream:
            created = create_incident(writer, token, title="Seen everywhere")
            event = stream.next_event()
            assert event.name == "INCIDENT_CREATED"
            assert event.json["incident"]["id"] == created["id"]
            # The stream ends itself at its maximum age, with a parting comment.
            items = []
            while (item := stream.next_item()) is not None:
                items.append(item)
            assert stream.ended
            assert items[-1] == Comment("max age reached, reconnect")
        with SSEClient(writer.port, "/api/stream/public") as stream:
            assert stream.next_item() == Comment("stream open")
            writer.stop()  # SIGTERM, as on a deploy: open streams end instead of holding it up
            while stream.next_item() is not None:
                pass
            assert stream.ended
            assert writer.proc.returncode == 0
    finally:
        reader.stop()
        writer.stop()
