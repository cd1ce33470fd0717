"""A static copy of the whole public site, for any static host or CDN.

Every public page, document, feed, badge and calendar is rendered through the app
itself (bypassing the response cache, so the copy is exactly what readers get),
written as files, and its links rewritten to relative ones: the copy works from
any directory of any host, or from disk. Pages say when they were generated and
open no live stream. The page's default language is at the root; every other
shipped language has a whole copy of its own under ``<locale>/`` (``de/status/``),
and each page's language links lead to the same page in the other copies.
:func:`refresh` builds a new copy next to the old one and swaps a symlink to it,
so a reader never sees a half-written site.
"""
from __future__ import annotations

import logging
import os
import posixpath
import re
import shutil
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from flask import Flask
from flask_babel import force_locale, gettext
from markupsafe import escape

from ..domain.locales import LOCALES, canonical
from ..services import public_documents, settings
from ..services.statuspage_v2 import DOCUMENTS as V2_DOCUMENTS
from .fastpath import SNAPSHOT_ENVIRON

log = logging.getLogger(__name__)

_LINK_RE = re.compile(r'(\b(?:href|src|action)=")(/[^"]*)(")')
_LANGUAGE_LINK_RE = re.compile(r'(\bhref=")\?lang=([A-Za-z_]+)(")')
# Documents that say the same in every language (the JSON APIs are a contract, the
# calendar has no words of ours): rendered once, written into every language's copy.
_SAME_IN_EVERY_LANGUAGE = (".json", ".ics")
KEEP_BUILDS = 2  # the current copy and the one before it (a reader may still be reading it)


def routes(index: dict) -> dict[str, str]:
    """Every exported URL (path and query) → the file it is written to."""
    files = {"/status": "status/index.html", "/status/history": "status/history/index.html",
             "/status/embed": "status/embed/index.html",
             "/api/public/status": "api/public/status.json",
             "/api/public/uptime": "api/public/uptime.json",
             "/history.atom": "history.atom", "/history.rss": "history.rss",
             "/status/maintenance.ics": "status/maintenance.ics",
             "/status/badge.svg": "status/badge.svg"}
    files.update({f"/api/v2/{name}.json": f"api/v2/{name}.json" for name in V2_DOCUMENTS})
    files["/status/history?page=1"] = "status/history/index.html"
    for page in range(2, index["history_pages"] + 1):
        files[f"/status/history?page={page}"] = f"status/history/page/{page}/index.html"
    for iid in index["incidents"]:
        files[f"/status/incidents/{iid}"] = f"status/incidents/{iid}/index.html"
        files[f"/api/public/incidents/{iid}"] = f"api/public/incidents/{iid}.json"
    for iid in index["postmortems"]:
        files[f"/status/incidents/{iid}/postmortem"] = f"status/incidents/{iid}/postmortem/index.html"
        files[f"/api/public/incidents/{iid}/postmortem"] = f"api/public/incidents/{iid}/postmortem.json"
    for cid in index["components"]:
        files[f"/status/components/{cid}/badge.svg"] = f"status/components/{cid}/badge.svg"
    return files


def _relative(target: str, page: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


def rewrite_links(html: str, page: str, files: dict[str, str], base_url: str,
                  copy: str = "", copies: dict[str, str] | None = None) -> str:
    """Root-relative links → relative paths to the exported files (static assets by path);
    links to what the copy does not hold (subscribing, the console) → the live app.

    ``page`` is the file within its language's copy, ``copy`` that copy's directory
    (``""`` at the root, ``"de/"``) and ``copies`` every language's directory: links
    stay inside the copy, language links (``?lang=fr``) lead to this page in that
    language's copy, and links to the live app carry the language along.
    """
    here = copy + page
    # The root copy is the page's default language: the live app picks that by itself.
    language = next((code for code, prefix in (copies or {}).items() if prefix == copy), None) if copy else None

    def replace(match: re.Match) -> str:
        url = match.group(2).replace("&amp;", "&")
        path, _, fragment = url.partition("#")
        if path in files:
            new = _relative(copy + files[path], here)
        elif path.startswith("/static/"):  # one set of assets for every language
            new = _relative(path.split("?", 1)[0].lstrip("/"), here)
        elif path == "/":
            new = _relative(copy + "index.html", here)
        else:
            new = base_url + path
            if language:
                new += ("&" if "?" in path else "?") + f"lang={language}"
        return match.group(1) + new + (f"#{fragment}" if fragment else "") + match.group(3)

    def language_link(match: re.Match) -> str:
        code = canonical(match.group(2))
        if copies is None or code not in copies:
            return match.group(0)
        return match.group(1) + _relative(copies[code] + page, here) + match.group(3)

    return _LANGUAGE_LINK_RE.sub(language_link, _LINK_RE.sub(replace, html))


def front_door(locale: str, page_name: str) -> str:
    """A copy's ``index.html``: straight on to its status page, in the copy's language."""
    with force_locale(locale):
        link = gettext("Current status")
    return (f'<!doctype html><html lang="{locale.replace("_", "-")}"><meta charset="utf-8">'
            f'<title>{escape(page_name)}</title>'
            '<meta http-equiv="refresh" content="0; url=status/index.html">'
            f'<a href="status/index.html">{escape(link)}</a>\n')


def copies_for(default: str) -> dict[str, str]:
    """Each shipped language → its copy's directory: the default at the root, the rest
    under ``<locale>/``."""
    default = canonical(default) or "en"
    return {code: "" if code == default else f"{code}/" for code in LOCALES}


def _write(target: Path, name: str, body: bytes) -> None:
    path = target / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)


def export(app: Flask, target: Path) -> int:
    """Write the whole public site into ``target`` (created), once per shipped language;
    returns the number of files."""
    generated_at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    with app.app_context():
        files = routes(public_documents.export_index())
        copies = copies_for(settings.current()["default_locale"])
        page_name = settings.current()["page_name"]
        fronts = {locale: front_door(locale, page_name) for locale in copies}
    base_url = app.config["PUBLIC_BASE_URL"]
    # No cookies: each language is asked for by Accept-Language alone, so a ?lang= link
    # (which sets the cookie) can never leak one language into another's copy.
    client = app.test_client(use_cookies=False)
    target.mkdir(parents=True, exist_ok=True)
    pages = {}  # file → the URL rendered into it (two URLs may name one page)
    for url, name in files.items():
        pages.setdefault(name, url)
    shared: dict[str, bytes] = {}
    written = 0
    for locale, copy in copies.items():
        headers = {"Accept-Language": locale.replace("_", "-")}
        for name, url in pages.items():
            if name.endswith(_SAME_IN_EVERY_LANGUAGE) and name in shared:
                body = shared[name]
            else:
                response = client.get(url, headers=headers,
                                      environ_overrides={SNAPSHOT_ENVIRON: generated_at})
                if response.status_code != 200:
                    raise RuntimeError(f"exporting {url} ({locale}): HTTP {response.status_code}")
                body = response.get_data()
                if name.endswith(".html"):
                    body = rewrite_links(body.decode(), name, files, base_url, copy, copies).encode()
                elif name.endswith(_SAME_IN_EVERY_LANGUAGE):
                    shared[name] = body
            _write(target, copy + name, body)
        (target / copy / "index.html").write_text(fronts[locale])
        written += len(pages) + 1
    # The console's assets stay out: the copy is the public site only.
    shutil.copytree(app.static_folder, target / "static", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("admin", "admin.css"))
    return written


def refresh(app: Flask, link: Path) -> Path:
    """Build a new copy beside ``link`` and point ``link`` (a symlink) at it atomically.

    ``link`` may also be an existing real directory (say, one an operator made with
    ``flask export-static``): it is then written in place.
    """
    link = link.absolute()
    if link.is_dir() and not link.is_symlink():
        export(app, link)
        return link
    builds = link.parent / f".{link.name}.builds"
    build = builds / f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    count = export(app, build)
    temporary = link.parent / f".{link.name}.{uuid.uuid4().hex}"
    os.symlink(build, temporary)
    os.replace(temporary, link)  # rename(2): readers see the old copy or the new, never a mix
    for old in sorted(builds.iterdir())[:-KEEP_BUILDS]:
        shutil.rmtree(old, ignore_errors=True)
    log.info("static snapshot refreshed: %d files in %.2f s at %s", count,
             time.monotonic() - started, build)
    return build
