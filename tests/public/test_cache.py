"""Caching of public responses: Redis, strong ETags, invalidation after commit, DB fallback."""
import socket

import pytest

from statuspage.extensions import cache, db, redis_client
from statuspage.models import Component
from statuspage.public import cache as public_cache
from tests.conftest import make_component, make_incident

CACHED = ["/status", "/api/public/status", "/api/v2/summary.json", "/history.atom", "/history.rss",
          "/status/maintenance.ics", "/status/badge.svg", "/status/embed"]


@pytest.mark.parametrize("path", CACHED)
def test_strong_etag_304_and_cache_control(client, api, path):
    make_component(api, "API")
    first = client.get(path)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["Cache-Control"] == "public, max-age=10, stale-while-revalidate=30, stale-if-error=86400"
    # The locale (Accept-Language, the lang cookie) and sign-in state choose the body.
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in first.headers["Vary"].split(",")}
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(path, headers={"If-None-Match": f'"x", W/{etag}'}).status_code == 304


def test_served_from_redis_until_a_commit_changes_it(client, api):
    comp = make_component(api, "API")
    before = client.get("/api/public/status")
    keys = cache.cache._read_client.keys(cache.cache.key_prefix + "public:*")
    assert len(keys) >= 2  # the generation and the entry
    # A write through the API commits and invalidates at once: no TTL wait.
    api.patch(f"/api/components/{comp['id']}", json={"status": "major_outage"})
    after = client.get("/api/public/status", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.json["status"]["indicator"] == "critical"


def test_changes_without_an_outbox_event_also_invalidate(client, api):
    comp = make_component(api, "API")
    assert "API" in client.get("/status").get_data(as_text=True)
    db.session.get(Component, comp["id"]).name = "Public API v2"  # no event for a rename
    db.session.commit()
    assert "Public API v2" in client.get("/status").get_data(as_text=True)


def test_rolled_back_write_keeps_the_cache(client, api):
    make_component(api, "API")
    etag = client.get("/api/public/status").headers["ETag"]
    generation = public_cache._generation().current()
    db.session.add(Component(name="Never", status="operational"))
    db.session.flush()
    db.session.rollback()
    assert public_cache._generation().current() == generation
    assert client.get("/api/public/status", headers={"If-None-Match": etag}).status_code == 304


def test_one_public_write_bumps_the_generation_exactly_once(client, api):
    comp = make_component(api, "API")
    generation = public_cache._generation()
    before = generation.current()
    # The write both changes a public row and records a public event.
    assert api.patch(f"/api/components/{comp['id']}", json={"status": "major_outage"}).status_code == 200
    assert int(redis_client.client.get(generation.key)) == before + 1


def test_incident_event_invalidates_before_publishing(client, api):
    make_component(api, "API")
    client.get("/status")
    make_incident(api, title="Fresh incident")
    assert "Fresh incident" in client.get("/status").get_data(as_text=True)


def _generation_number() -> int:
    return int(redis_client.client.get(public_cache._generation().key))


def test_an_internal_incident_leaves_the_public_cache_alone(client, api):
    make_component(api, "API")
    etag = client.get("/api/public/status").headers["ETag"]
    before = _generation_number()
    incident = make_incident(api, title="Failover rehearsal", visibility="internal")
    assert api.post(f"/api/incidents/{incident['id']}/updates",
                    json={"body": "Replica promoted."}).status_code == 201
    assert api.post(f"/api/incidents/{incident['id']}/transition",
                    json={"to": "resolved", "message": "Done."}).status_code == 200
    assert _generation_number() == before
    assert client.get("/api/public/status", headers={"If-None-Match": etag}).status_code == 304


def test_an_internal_incident_made_public_is_shown_at_once(client, api):
    make_component(api, "API")
    incident = make_incident(api, title="Now everyone's problem", visibility="internal")
    assert "everyone" not in client.get("/status").get_data(as_text=True)
    assert api.patch(f"/api/incidents/{incident['id']}", json={"visibility": "public"}).status_code == 200
    assert "everyone" in client.get("/status").get_data(as_text=True)


def test_an_internal_note_on_a_public_incident_still_refreshes_it(client, api):
    incident = make_incident(api, title="Checkout errors")
    assert '"investigating"' in client.get("/api/public/status").get_data(as_text=True)
    assert api.post(f"/api/incidents/{incident['id']}/transition",
                    json={"to": "identified", "message": "Bad deploy.", "visibility": "internal"}
                    ).status_code == 200
    assert '"identified"' in client.get("/api/public/status").get_data(as_text=True)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_pages_render_from_the_database_when_redis_is_down(app, api, other_app):
    make_component(api, "Still here")
    make_incident(api, title="Visible without Redis")
    down = other_app(RATELIMIT_ENABLED=False, REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0")
    public_cache.reset_local()
    with down.app_context():
        client = down.test_client()
        for path in CACHED:
            response = client.get(path)
            assert response.status_code == 200, path
            assert response.headers["ETag"]
        assert "Visible without Redis" in client.get("/status").get_data(as_text=True)


def test_a_thrown_away_app_stops_its_cache_listener(other_app):
    import threading

    from tests.mailsink import free_port

    cut_off = other_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    generation = cut_off.extensions["public_generation"]
    with cut_off.app_context():
        try:
            generation.current()  # starts the listener; Redis is unreachable
        except Exception:
            pass
    listener = generation._listener
    assert listener is not None and listener.is_alive()

    generation.stop()

    assert not listener.is_alive()
    assert "public-cache-listener" not in [t.name for t in threading.enumerate() if t is listener]
