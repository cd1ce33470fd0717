"""Readers in their own language: catalogues, locale choice, localised pages and formats."""
from __future__ import annotations

import functools
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from statuspage.domain.locales import LOCALES, canonical
from statuspage.i18n import TRANSLATIONS, from_accept_language, negotiate
from statuspage.models import clock_at
from tests.conftest import make_component, make_incident

ROOT = Path(__file__).resolve().parent.parent
# Main strings of /status that must not stay English in another locale.
STATUS_STRINGS = ("Active incidents", "Past incidents", "Components", "Current status",
                  "All Systems Operational", "Incident history", "Skip to main content")
# Per locale: the heading of the incidents section, a day of the "past incidents" list
# (27 Nov 2026) and the uptime figure 100 formatted for the locale.
EXPECTED = {
    "en": ("Active incidents", "27 Nov 2026", "100.00%"),
    "de": ("Aktuelle Störungen", "27. Nov. 2026", "100,00\xa0%"),
    "fr": ("Incidents en cours", "27 nov. 2026", "100,00\xa0%"),
    "es": ("Incidentes activos", "27 nov 2026", "100,00\xa0%"),
    "pt_BR": ("Incidentes ativos", "27 de nov. de 2026", "100,00%"),
    "ja": ("対応中の障害", "2026年11月27日", "100.00%"),
}
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


@functools.cache  # one extraction (seconds of parsing) for every locale's test
def _extracted_ids() -> frozenset[str]:
    """Every message the source marks for translation, extracted as pybabel would."""
    method_map = []
    for line in (ROOT / "babel.cfg").read_text().splitlines():
        match = re.match(r"\[(\w+): (.+)\]", line)
        if match:
            method_map.append((match[2], match[1]))
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "lazy_gettext": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, keywords=keywords):
        found.add(message if isinstance(message, str) else message[0])
    return frozenset(found)


def _catalogue(locale: str):
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=locale)


@pytest.mark.once(backend="embedded")  # files against files: no database plays a part
@pytest.mark.parametrize("locale", LOCALES)
def test_shipped_catalogues_translate_every_message(locale):
    wanted = _extracted_ids()
    assert len(wanted) > 100  # extraction really ran over templates and code
    catalogue = _catalogue(locale)
    # A plural message is known by its singular; each of its forms must be translated.
    entries = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalogue if m.id}
    missing = sorted(wanted - set(entries))
    untranslated = sorted(i for i, m in entries.items()
                          if not (all(m.string) if isinstance(m.string, tuple) else m.string))
    fuzzy = sorted(i for i, m in entries.items() if m.fuzzy)
    broken = [(m.id, [str(e) for e in errors]) for m, errors in catalogue.check() if errors]
    assert (missing, untranslated, fuzzy, broken) == ([], [], [], [])


def test_every_shipped_locale_has_a_catalogue_and_nothing_else_ships():
    shipped = {p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")}
    assert shipped == set(LOCALES)


def test_negotiation_order_and_tags():
    assert negotiate("de", "fr", "es", "en") == "de"
    assert negotiate("xx", "fr", "es", "en") == "fr"
    assert negotiate(None, None, "es-MX,es;q=0.9", "en") == "es"
    assert negotiate(None, None, "zz", "ja") == "ja"
    assert negotiate(None, None, None, "nonsense") == "en"
    assert from_accept_language("pt-PT;q=0.8, ko") == "pt_BR"
    assert from_accept_language("fr;q=0, de;q=0.1") == "de"
    assert canonical("PT-br") == "pt_BR" and canonical("de-AT") == "de" and canonical("") is None


def _page_with_history(api):
    with clock_at(datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)):
        make_component(api, "API")
        make_incident(api, title="Checkout errors", severity="SEV2")


def _lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


@pytest.mark.parametrize("locale", LOCALES)
def test_status_page_in_each_locale(client, api, locale):
    _page_with_history(api)
    with clock_at(NOW):
        html = client.get(f"/status?lang={locale}").get_data(as_text=True)
    heading, day, percent = EXPECTED[locale]
    assert _lang(html) == locale.replace("_", "-")
    assert f'<h2 id="incidents-title">{heading}</h2>' in html
    assert day in html  # the past incidents list, a Babel date for the locale
    assert percent in html  # uptime, a Babel percentage for the locale
    if locale != "en":
        left = [s for s in STATUS_STRINGS if re.search(rf">\s*{re.escape(s)}\s*<", html)]
        assert left == []


@pytest.mark.parametrize("locale", LOCALES)
def test_other_reader_pages_in_each_locale(client, api, locale):
    incident = make_incident(api, title="Checkout errors", severity="SEV2")
    headers = {"Accept-Language": locale.replace("_", "-")}
    for path in (f"/status/incidents/{incident['id']}", "/status/history", "/status/embed",
                 "/subscriptions/"):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        assert _lang(response.get_data(as_text=True)) == locale.replace("_", "-"), path
        assert response.headers["Content-Language"] == locale.replace("_", "-")


def test_locale_by_query_then_cookie_then_accept_language_then_default(app, client, monkeypatch):
    # 1. ?lang= answers in that language and remembers it in a cookie.
    first = client.get("/status?lang=ja", headers={"Accept-Language": "fr"})
    assert _lang(first.text) == "ja"
    assert "lang=ja" in first.headers["Set-Cookie"] and "HttpOnly" in first.headers["Set-Cookie"]
    # 2. The cookie then wins over Accept-Language.
    assert _lang(client.get("/status", headers={"Accept-Language": "fr"}).text) == "ja"
    # 3. Without a choice, Accept-Language picks the best shipped language.
    fresh = app.test_client()
    assert _lang(fresh.get("/status", headers={"Accept-Language": "ko, es;q=0.7"}).text) == "es"
    # 4. Nothing usable: the page default.
    monkeypatch.setitem(app.config, "DEFAULT_LOCALE", "de")
    assert _lang(fresh.get("/status", headers={"Accept-Language": "ko"}).text) == "de"
    assert _lang(fresh.get("/status").text) == "de"


def test_cached_copies_are_per_locale_with_their_own_etags(client, api):
    make_component(api, "API")
    german = client.get("/status", headers={"Accept-Language": "de"})
    french = client.get("/status", headers={"Accept-Language": "fr"})
    assert german.headers["ETag"] != french.headers["ETag"]
    for response in (german, french):
        vary = {v.strip() for v in response.headers["Vary"].split(",")}
        assert {"Accept-Language", "Cookie"} <= vary
    # Served again (now from the cache and the fast path), each keeps its language.
    for _ in range(2):
        assert _lang(client.get("/status", headers={"Accept-Language": "fr"}).text) == "fr"
        assert _lang(client.get("/status", headers={"Accept-Language": "de"}).text) == "de"
    again = client.get("/status", headers={"Accept-Language": "de", "If-None-Match": german.headers["ETag"]})
    assert again.status_code == 304
    other = client.get("/status", headers={"Accept-Language": "fr", "If-None-Match": german.headers["ETag"]})
    assert other.status_code == 200


def test_feeds_badges_and_problem_titles_follow_the_locale(client, api):
    component = make_component(api, "API")
    api.patch(f"/api/components/{component['id']}", json={"status": "major_outage"})
    de = {"Accept-Language": "de"}
    assert "Schwerer Ausfall".lower() in client.get(f"/status/components/{component['id']}/badge.svg",
                                                    headers=de).text
    atom = client.get("/history.atom", headers=de).text
    assert "Störungsverlauf" in atom and 'xml:lang="de"' in atom
    problem = client.get("/api/public/incidents/999", headers={"Accept-Language": "ja"})
    assert problem.status_code == 404 and problem.json["title"] == "見つかりません"
    # The v2 API is a contract: its words stay as Statuspage defines them.
    summary = client.get("/api/v2/summary.json", headers=de).json
    assert summary["status"]["description"] == "Major System Outage"
