"""The framework floor: a minimal Flask app returning fixed bytes from memory.

``FLOOR_DIR`` holds one file per route (``status.json`` -> ``/status.json``),
read once at start. Served by gunicorn with the same settings as the product.
"""
import os
from pathlib import Path

from flask import Flask, Response, abort

app = Flask(__name__)
_BODIES = {p.name: p.read_bytes() for p in Path(os.environ["FLOOR_DIR"]).iterdir()}
_TYPES = {".json": "application/json", ".html": "text/html; charset=utf-8"}


@app.get("/<name>")
def body(name):
    if name not in _BODIES:
        abort(404)
    return Response(_BODIES[name], content_type=_TYPES[Path(name).suffix])
