"""The console stays English whatever the browser asks for; its strings are marked for a
catalogue of their own (``console``), kept apart from the readers' catalogues."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import Domain, force_locale

from statuspage.admin import i18n as console_i18n
from statuspage.i18n import TRANSLATIONS
from tests.conftest import make_incident

ROOT = Path(__file__).resolve().parents[2]
ADMIN_TEMPLATES = ROOT / "statuspage" / "templates" / "admin"
KEYWORDS = {"_c": None, "_cn": (1, 2), "C_": None}
# Every console page a signed-in admin can open without ids.
PAGES = ("/admin/incidents", "/admin/incidents/new", "/admin/components", "/admin/maintenance",
         "/admin/templates", "/admin/subscribers", "/admin/integrations", "/admin/alerts",
         "/admin/monitors", "/admin/audit", "/admin/users", "/admin/settings", "/admin/account/password")


def _console_ids() -> set:
    method_map = []
    for line in (ROOT / "babel-console.cfg").read_text().splitlines():
        match = re.match(r"\[(\w+): (.+)\]", line)
        if match:
            method_map.append((match[2], match[1]))
    return {message for _f, _l, message, _c, _x in extract_from_dir(str(ROOT), method_map, keywords=KEYWORDS)}


def test_the_console_template_is_up_to_date_with_the_marked_strings():
    with (TRANSLATIONS / "console.pot").open("rb") as source:
        template = read_po(source)
    committed = {m.id for m in template if m.id}
    extracted = _console_ids()
    assert len(extracted) > 250  # templates and Python really were read
    assert (sorted(map(str, extracted - committed)), sorted(map(str, committed - extracted))) == ([], [])


def test_no_console_catalogue_ships_and_the_readers_catalogues_hold_no_console_marks():
    assert list(TRANSLATIONS.glob("*/LC_MESSAGES/console.po")) == []
    readers = (TRANSLATIONS / "messages.pot").read_text()
    assert "Sign in to %(page)s console" not in readers and "Subscribers & deliveries" not in readers


_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_WORDS = re.compile(r"[A-Za-z]{2,}")
_SEEN_ATTRIBUTES = re.compile(r'\s(aria-label|placeholder|title|alt)="([^"]*)"')
_STRING = re.compile(r"""(["'])((?:\\.|(?!\1).)*)\1""")
_MARKED = re.compile(r"""\b_cn?\(\s*(["'])(?:\\.|(?!\1).)*\1(\s*,\s*(["'])(?:\\.|(?!\3).)*\3)?""")


def _unmarked(source: str) -> list[str]:
    """Words a reader of the page sees that do not go through ``_c``: text between tags
    (outside ``<code>``/``<kbd>``, which are literal), the attributes that are read out,
    and words in quotes inside Jinja expressions (``'yes' if x else 'no'``)."""
    found = []
    for construct in _JINJA.finditer(source):
        if construct.group().startswith("{#"):
            continue  # a comment: nobody sees it
        code = _MARKED.sub("", construct.group())
        found += [s[2] for s in _STRING.finditer(code)
                  if _WORDS.search(s[2]) and not re.search(r"[%<]", s[2])
                  and (re.match(r"[A-Z][a-z]", s[2]) or re.search(r"[A-Za-z] [A-Za-z]", s[2]))]
    plain = _JINJA.sub("\x00", source)
    plain = re.sub(r"<(code|kbd)\b[^>]*>.*?</\1>", "", plain, flags=re.S)
    for tag in re.finditer(r"<[^>]*>", plain):
        found += [value for _name, value in _SEEN_ATTRIBUTES.findall(tag.group())
                  if (" " in value or value[:1].isupper()) and _WORDS.search(value.replace("\x00", ""))]
    for text in re.split(r"<[^>]*>", plain):
        found += [part.strip() for part in text.split("\x00") if _WORDS.search(html.unescape(part))]
    return found


@pytest.mark.parametrize("path", sorted(ADMIN_TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_every_word_of_a_console_template_goes_through_the_marker(path):
    assert _unmarked(path.read_text()) == []


def test_the_marker_check_finds_what_is_not_marked():
    assert _unmarked('<h1>Incidents</h1><p aria-label="Filter them">{{ _c("Ok") }}</p>') == [
        "Filter them", "Incidents"]
    assert _unmarked("<td>{{ 'yes' if x else 'no' }} {{ 'Disable' if x }}</td>") == ["Disable"]
    assert _unmarked('<p>{{ _c("Started %(when)s", when=w) }} <code>flask worker</code></p>') == []


def test_the_console_stays_english(console, api):
    incident = make_incident(api)
    for path in (*PAGES, f"/admin/incidents/{incident['id']}"):
        page = console.get(f"{path}?lang=de", headers={"Accept-Language": "de"})
        assert page.status_code == 200, path
        assert '<html lang="en">' in page.text, path
        assert "Content-Language" not in page.headers
    page = console.get("/admin/incidents?lang=de", headers={"Accept-Language": "de"})
    assert "Aktuelle" not in page.text and ">Sign out<" in page.text and ">Subscribers &amp; deliveries<" in page.text


@pytest.fixture
def german_console(tmp_path, monkeypatch):
    """A console catalogue for German, in a directory of its own (none ships)."""
    catalogue = Catalog(locale="de", domain="console")
    catalogue.add("Sign out", "Abmelden")
    catalogue.add("Sign in to %(page)s console", "Anmelden an der Konsole von %(page)s",
                  flags=("python-format",))
    catalogue.add(("%(num)d second", "%(num)d seconds"), ("%(num)d Sekunde", "%(num)d Sekunden"))
    catalogue.add("Copy", "Kopieren")
    catalogue.add("%(time)s ago", "vor %(time)s", flags=("python-format",))
    folder = tmp_path / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "console.mo").open("wb") as target:
        write_mo(target, catalogue)
    monkeypatch.setattr(console_i18n, "domain", Domain(translation_directories=str(tmp_path), domain="console"))


def test_marked_strings_come_from_the_console_catalogue_with_english_fallback(app, german_console):
    with app.test_request_context("/status"), force_locale("de"):
        assert console_i18n._c("Sign out") == "Abmelden"
        assert console_i18n._c("Sign in") == "Sign in"  # not translated: English
        assert console_i18n._cn("%(num)d second", "%(num)d seconds", 5) == "5 Sekunden"
        rendered = render_template_string('{{ _c("Sign in to %(page)s console", page=name) }}', name="<b>&")
        assert rendered == "Anmelden an der Konsole von &lt;b&gt;&amp;"
    with app.test_request_context("/status"), force_locale("en"):
        assert console_i18n._c("Sign out") == "Sign out"


def test_a_console_catalogue_does_not_reach_the_console_yet(console, german_console):
    page = console.get("/admin/incidents?lang=de", headers={"Accept-Language": "de"})
    assert ">Sign out<" in page.text and "Abmelden" not in page.text


STATIC_JS = ROOT / "statuspage" / "static" / "js"
_IMPORT = re.compile(r"""^import\b[^;]*?from\s+["'](\.{1,2}/[^"']+)["']""", re.M)
_WORD_KEY = re.compile(r"^  (\w+): ", re.M)
_HEADER_NAME = re.compile(r"^[A-Z][A-Za-z]*(-[A-Z][A-Za-z]*)+$")


def _console_scripts() -> list[Path]:
    """The console's entry module and every module it imports, vendored Alpine aside."""
    seen, todo = [], [STATIC_JS / "admin" / "main.js"]
    while todo:
        module = todo.pop()
        if module in seen or "vendor" in module.parts:
            continue
        seen.append(module)
        todo += [(module.parent / target).resolve() for target in _IMPORT.findall(module.read_text())]
    return sorted(seen)


def _english_literals(source: str) -> list[str]:
    """String literals that read as English to a person: a capitalised word or two words."""
    code = "\n".join(re.sub(r"^\s*(/?\*.*|//.*)$", "", line) for line in source.splitlines())
    return [text for _q, text in _STRING.findall(code)
            if (re.match(r"[A-Z][a-z]", text) or re.search(r"[A-Za-z]{2,} [A-Za-z]{2,}", text))
            and not _HEADER_NAME.match(text)]


def test_the_console_scripts_show_no_words_of_their_own():
    scripts = _console_scripts()
    assert STATIC_JS / "admin" / "users.js" in scripts and STATIC_JS / "lib" / "relative.js" in scripts
    # words.js holds the English defaults every other module says through.
    found = {path.name: _english_literals(path.read_text()) for path in scripts if path.name != "words.js"}
    assert {name: words for name, words in found.items() if words} == {}
    assert _english_literals('x = cond ? "Copied" : "copy"; h = {"Content-Type": 1}') == ["Copied"]


def test_every_sentence_a_console_script_says_comes_from_the_console_catalogue():
    keys = set(_WORD_KEY.findall((STATIC_JS / "lib" / "words.js").read_text()))
    said = set()  # the sentence keys the console's modules name (say("copied"), ["day", "days"])
    for path in _console_scripts():
        if path.name != "words.js":
            said |= {text for _q, text in _STRING.findall(path.read_text()) if text in keys}
    assert {"copied", "hidePreview", "toastIncident", "ago", "days", "switchDark"} <= said
    assert said - set(console_i18n.SCRIPT_SENTENCES) == set()


def test_console_pages_ship_their_script_words(console):
    page = console.get("/admin/incidents")
    block = re.search(r'<script type="application/json" id="page-words">(.*?)</script>', page.text, re.S)
    words = json.loads(html.unescape(block[1]))
    assert words["locale"] == "en"
    assert words["sentences"]["copied"] == "Copied"
    assert words["sentences"]["ago"] == "{time} ago"  # the scripts' placeholder form


def test_the_script_words_come_from_the_console_catalogue(app, german_console):
    with app.test_request_context("/admin/users"), force_locale("de"):
        sentences = console_i18n.script_words()["sentences"]
    assert sentences["copy"] == "Kopieren" and sentences["ago"] == "vor {time}"
    assert sentences["copied"] == "Copied"  # not translated: English
