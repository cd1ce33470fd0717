"""Benchmark: the web process's CPU per public stream set-up, in-process.

Opens ``GET /api/stream/public`` again and again through the test client of an app
built as the entry point builds it (throwaway instance folder, SQLite + embedded
Redis), reads the first event and closes it, and prints the process CPU time per
set-up. This is the work a connect storm multiplies; ``--profile`` prints where
it goes.

    python bench/stream_setup.py                 # 1,000 set-ups after 50 to warm up
    python bench/stream_setup.py --profile       # and a cProfile of them
    python bench/stream_setup.py --refused       # a stream refused past the cap instead
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--refused", action="store_true",
                        help="measure a stream refused past the cap (503) instead")
    args = parser.parse_args()
    instance = tempfile.mkdtemp(prefix="stream-setup-")
    os.environ.update(INSTANCE_PATH=instance, SECRET_KEY="bench-" + "x" * 40,
                      STREAM_RATE_LIMIT="1000000 per minute")
    if args.refused:
        os.environ["STREAM_MAX_CLIENTS"] = "0"
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade

    from statuspage.embedded_redis import stop
    from statuspage.entrypoint import build_app

    app = build_app()
    try:
        with app.app_context():
            upgrade()
        client = app.test_client()

        def one() -> None:
            response = client.get("/api/stream/public", buffered=False)
            assert response.status_code == (503 if args.refused else 200), response.status_code
            next(iter(response.response))
            response.close()

        for _ in range(50):
            one()
        profile = cProfile.Profile() if args.profile else None
        started = time.process_time()
        if profile:
            profile.enable()
        for _ in range(args.count):
            one()
        if profile:
            profile.disable()
        per = (time.process_time() - started) / args.count * 1000
        what = "refusal (503)" if args.refused else "set-up"
        print(f"CPU per public stream {what}: {per:.2f} ms ({args.count} requests"
              f"{', profiled' if profile else ''})")
        if profile:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
    finally:
        stop(instance)


if __name__ == "__main__":
    main()
