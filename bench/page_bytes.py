"""Bytes a reader downloads for the status page's first load, and for the public JSON.

    python bench/page_bytes.py

Seeds the demo into a scratch instance (SQLite + embedded Redis), then fetches, in
process, /status and everything its first load pulls in (stylesheets, scripts and the
ES module graph they import), plus /api/public/status and /api/public/uptime. Prints
each response's size raw and gzip-compressed (level 6, what nginx and most CDNs send).
"""
from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ASSET_RE = re.compile(r'(?:href|src)="(/static/[^"?]+)[^"]*"')
IMPORT_RE = re.compile(r'(?:import|from)\s*"(\.{1,2}/[^"]+)"')


def _module_graph(client, path: str, seen: dict) -> None:
    if path in seen:
        return
    body = client.get(path).get_data()
    seen[path] = body
    if path.endswith(".js"):
        base = path.rsplit("/", 1)[0]
        for ref in IMPORT_RE.findall(body.decode()):
            _module_graph(client, os.path.normpath(f"{base}/{ref}"), seen)


def main() -> None:
    instance = tempfile.mkdtemp(prefix="page-bytes-")
    env = {**os.environ, "INSTANCE_PATH": instance, "FLASK_APP": "wsgi", "SECRET_KEY": "bench"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    for args in (("db", "upgrade"), ("seed-demo", "--yes")):
        subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=env, check=True, capture_output=True)
    os.environ.update(INSTANCE_PATH=instance, SECRET_KEY="bench")
    sys.path.insert(0, str(ROOT))
    from statuspage import create_app
    from statuspage.embedded_redis import stop

    try:
        app = create_app()
        client = app.test_client()
        page = client.get("/status").get_data()
        assets: dict = {}
        for path in ASSET_RE.findall(page.decode()):
            _module_graph(client, path, assets)
        rows = [("/status (HTML)", page)] + sorted(assets.items())
        total_raw = sum(len(b) for _, b in rows)
        total_gz = sum(len(gzip.compress(b, 6)) for _, b in rows)
        for name, body in rows:
            print(f"{name:55} {len(body):>9,} B raw {len(gzip.compress(body, 6)):>8,} B gzip")
        print(f"{'first load, total (' + str(len(rows)) + ' responses)':55} {total_raw:>9,} B raw "
              f"{total_gz:>8,} B gzip")
        for path in ("/api/public/status", "/api/public/uptime"):
            response = client.get(path)
            body = response.get_data()
            if response.status_code == 200:
                print(f"{path:55} {len(body):>9,} B raw {len(gzip.compress(body, 6)):>8,} B gzip")
            else:
                print(f"{path:55} {response.status_code}")
    finally:
        stop(instance)


if __name__ == "__main__":
    main()
