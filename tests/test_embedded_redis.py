"""The embedded default runs a real redis-server shared through a socket in instance/."""
import redis

from statuspage.embedded_redis import ensure_running, stop


def test_start_join_and_restart(tmp_path):
    url = ensure_running(str(tmp_path))
    assert url == f"unix://{tmp_path / 'redis.sock'}"
    try:
        first = redis.Redis.from_url(url)
        first.set("k", "v")
        assert ensure_running(str(tmp_path)) == url  # a second process joins the same server
        assert redis.Redis.from_url(url).get("k") == b"v"
        assert first.xadd("s", {"a": "1"})  # streams work
    finally:
        stop(str(tmp_path))
    url = ensure_running(str(tmp_path))  # and it comes back after a stop
    try:
        assert redis.Redis.from_url(url).ping()
    finally:
        stop(str(tmp_path))
