"""API writes are rate limited per token (Redis storage), with Retry-After."""
import pytest

from statuspage.extensions import db
from statuspage.models import Incident

from ..conftest import ApiClient, IsolatedClient, make_token


@pytest.fixture
def limited_client(other_app):
    limited = other_app(RATELIMIT_ENABLED=True, RATELIMIT_WRITES="2 per minute")
    limited.test_client_class = IsolatedClient
    return limited.test_client()


def test_third_write_in_a_minute_is_429_per_token(limited_client):
    first, second = ApiClient(limited_client, make_token()), ApiClient(limited_client, make_token())
    body = {"title": "t", "severity": "SEV3"}
    assert [first.post("/api/incidents", json=body).status_code for _ in range(2)] == [201, 201]
    refused = first.post("/api/incidents", json=body)
    assert refused.status_code == 429
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert int(refused.headers["Retry-After"]) > 0
    assert second.post("/api/incidents", json=body).status_code == 201  # another token is unaffected
    assert first.get("/api/incidents").status_code == 200  # reads are not limited
    assert db.session.query(Incident).count() == 3
