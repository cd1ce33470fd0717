"""How cheap are /healthz and /metrics? Prints mean and p95 per call (in-process test client).

Usage: python bench/observability.py [N]   (uses DATABASE_URL / REDIS_URL or the embedded default)
"""
import io
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="bench-prom-"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from flask_migrate import upgrade  # noqa: E402

from statuspage import logs  # noqa: E402
from statuspage.entrypoint import build_app  # noqa: E402


def main(n: int) -> None:
    instance = os.environ.get("INSTANCE_PATH") or tempfile.mkdtemp(prefix="bench-instance-")
    app = build_app({"INSTANCE_PATH": instance, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
    logs.configure(stream=io.StringIO())  # measure the logging work, not the terminal
    client = app.test_client()
    for path in ("/healthz", "/metrics", "/api/openapi.json"):
        client.get(path)
        times = []
        for _ in range(n):
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        print(f"{path:20s} n={n} mean={statistics.mean(times):.2f} ms "
              f"p95={times[int(n * 0.95) - 1]:.2f} ms")
    if not os.environ.get("REDIS_URL"):
        from statuspage.embedded_redis import stop
        stop(instance)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
