"""Readers in their own language: locale choice, catalogues, locale-aware formatting.

The locale of a reader-facing request is, in order: ``?lang=`` (which also
sets a cookie), the ``lang`` cookie, the best ``Accept-Language`` match, then
the page default (``DEFAULT_LOCALE``). The console stays English for now (its
strings are marked for a catalogue of their own: ``admin/i18n.py``).
:func:`negotiate` is a plain function of those inputs so the WSGI fast path
can key its copies by locale without entering Flask.
"""
from __future__ import annotations

import copy
import logging
from datetime import date, datetime, tzinfo
from pathlib import Path

from babel import Locale, dates
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, has_request_context, request
from flask_babel import Babel, format_decimal, get_locale, gettext
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from .domain.locales import LANGUAGES, N_, canonical
from .domain.statuses import BANNER_PHRASE, IMPACT_LABEL, STATUS_LABEL, indicator_descriptions, label
from .services import settings

log = logging.getLogger(__name__)

COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 86400
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
# Requests under these prefixes are the console and its API: English for now.
_ENGLISH_PREFIXES = ("/admin", "/api/")
_READER_API_PREFIXES = ("/api/public/", "/api/v2/", "/api/stream/public")


def from_accept_language(header: str | None) -> str | None:
    """The best shipped locale for an ``Accept-Language`` header."""
    if not header:
        return None
    accept = parse_accept_header(header[:512], LanguageAccept)
    for tag, quality in accept:
        if quality > 0 and canonical(tag):
            return canonical(tag)
    return None


def negotiate(query: str | None, cookie: str | None, accept_language: str | None,
              default: str) -> str:
    """The locale from ``?lang=``, then the cookie, then Accept-Language, then the default."""
    return (canonical(query) or canonical(cookie) or from_accept_language(accept_language)
            or canonical(default) or "en")


def _reader_page() -> bool:
    endpoint = request.endpoint or ""
    return (endpoint.startswith(("public.", "subscriptions.", "api.v2_"))
            or endpoint in ("api.public_status_document", "api.public_incident", "api.public_postmortem"))


def _english_only() -> bool:
    path = request.path
    return path.startswith(_ENGLISH_PREFIXES) and not path.startswith(_READER_API_PREFIXES)


def reader_locale() -> str:
    """The locale this request's reader chose (even on an English-only console route)."""
    return negotiate(request.args.get("lang"), request.cookies.get(COOKIE),
                     request.headers.get("Accept-Language"), _page_default())


def _page_default() -> str:
    try:
        return settings.current()["default_locale"]
    except SQLAlchemyError:  # the database is down: error pages still render, in the configured default
        return current_app.config["DEFAULT_LOCALE"]


def select_locale() -> str:
    """Flask-Babel's locale selector."""
    if not has_request_context():
        return canonical(current_app.config["DEFAULT_LOCALE"]) or "en"
    if _english_only():
        return "en"
    return reader_locale()


def locale_code() -> str:
    """The current locale as a shipped code (``pt_BR``), for keys, cookies and columns."""
    return str(get_locale() or "en")


def html_lang() -> str:
    """The current locale as a BCP 47 tag for ``<html lang>`` (``pt-BR``)."""
    return locale_code().replace("_", "-")


def percent(value: float | None) -> str:
    """A percentage (99.95, not a fraction) in the locale's style, with two decimals
    (``99.95%``, ``99,95 %``)."""
    if value is None:
        return ""
    locale = get_locale() or Locale.parse("en")
    pattern = copy.copy(locale.percent_formats[None])
    pattern.frac_prec = (2, 2)
    return pattern.apply(value / 100, locale)


def _pattern(english: str, skeleton: str) -> tuple[str, bool]:
    # English keeps the page's day-first style; other locales use their own order.
    return (english, False) if locale_code() == "en" else (skeleton, True)


def localised_moment(moment: datetime, locale) -> str:
    """Date and 24-hour time in ``locale``'s own order (``27. Nov. 2026, 14:05``)."""
    locale = Locale.parse(locale)
    pattern = str(locale.datetime_formats["medium"])
    return (pattern.replace("{1}", dates.format_skeleton("yMMMd", moment, locale=locale))
            .replace("{0}", dates.format_skeleton("Hm", moment, locale=locale)))


def moment_text(moment: datetime | None, tz: tzinfo) -> str:
    """A moment in the page zone for the locale, with the zone's abbreviation ('' for None)."""
    if moment is None:
        return ""
    local = moment.astimezone(tz)
    if locale_code() == "en":  # English keeps the page's day-first style
        text = dates.format_datetime(local, "d MMM y, HH:mm", locale="en")
    else:
        text = localised_moment(local, get_locale())
    return f"{text} {local.tzname()}"


def day_text(day: date) -> str:
    """A calendar day for the locale (``27 Nov 2026``, ``2026年11月27日``)."""
    fmt, skeleton = _pattern("d MMM y", "yMMMd")
    return (dates.format_skeleton(fmt, day, locale=get_locale()) if skeleton
            else dates.format_date(day, fmt, locale=get_locale()))


def month_text(day: date) -> str:
    """A month for the locale (``November 2026``, ``novembre 2026``)."""
    fmt, skeleton = _pattern("MMMM y", "yMMMM")
    return (dates.format_skeleton(fmt, day, locale=get_locale()) if skeleton
            else dates.format_date(day, fmt, locale=get_locale()))


def status_text(status: str | None) -> str:
    """A status value in the reader's words (``major_outage`` -> ``Panne majeure``)."""
    return gettext(label(status)) if status else ""


def banner_lead(banner: dict) -> str:
    """The banner's sentence (see ``banner_sentence``) in the reader's language."""
    names = banner.get("names") or []
    if locale_code() == "en":
        return banner.get("lead") or ""
    if names and banner.get("worst") in BANNER_PHRASE:
        joined = format_list(names, locale=get_locale())
        template = (N_("%(names)s is experiencing %(what)s") if len(names) == 1
                    else N_("%(names)s are experiencing %(what)s"))
        return gettext(template, names=joined, what=gettext(BANNER_PHRASE[banner["worst"]]))
    return gettext(banner["lead"]) if banner.get("lead") else ""


# What the page's scripts say, in the reader's language (English pages need none).
_SCRIPT_SENTENCES = {
    "one": N_("%(names)s is experiencing %(what)s"), "many": N_("%(names)s are experiencing %(what)s"),
    "looking": N_("We are looking into an issue"), "maintenance": N_("Maintenance in progress"),
    "toastIncident": N_("New incident update received"), "toastComponent": N_("Component status changed"),
    "toastMaintenance": N_("Maintenance update received"), "lightTheme": N_("Light theme"),
    "darkTheme": N_("Dark theme"), "switchLight": N_("Switch to light theme"),
    "switchDark": N_("Switch to dark theme"), "pageTime": N_("page time"),
    "dayUptime": N_("%(day)s: %(percent)s uptime, no incidents"), "dayNoData": N_("%(day)s: no data"),
}


def script_sentence(translated: str) -> str:
    """A translated ``%(name)s`` message in the scripts' ``{name}`` placeholder form."""
    return translated.replace("%(", "{").replace(")s", "}")


def page_words() -> dict | None:
    """The status vocabulary and script sentences for the page's scripts, or None in English."""
    if locale_code() == "en":
        return None
    sentences = {key: script_sentence(gettext(text)) for key, text in _SCRIPT_SENTENCES.items()}
    return {"locale": html_lang(), "sentences": sentences,
            "status_labels": {k: gettext(v) for k, v in STATUS_LABEL.items()},
            "impact_labels": {k: gettext(v) for k, v in IMPACT_LABEL.items()},
            "banner_phrases": {k: gettext(v) for k, v in BANNER_PHRASE.items()},
            "descriptions": {status: gettext(text) for status, text in indicator_descriptions().items()}}


def number(value: float | int) -> str:
    """A number formatted for the locale."""
    return format_decimal(value)


def _remember_choice(response):
    chosen = canonical(request.args.get("lang")) if request.args.get("lang") else None
    if chosen and chosen != request.cookies.get(COOKIE):
        response.set_cookie(COOKIE, chosen, max_age=COOKIE_MAX_AGE, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True)
    if _reader_page() and response.mimetype != "text/event-stream":
        response.headers.setdefault("Content-Language", html_lang())
        response.vary.update(("Accept-Language", "Cookie"))
    return response


def compile_catalogues(directory: Path = TRANSLATIONS) -> int:
    """Compile each ``.po`` (readers' ``messages``, and a ``console`` one once any ships) whose
    ``.mo`` is missing or older; returns how many were written.

    Compiled catalogues are build output: they are never committed.
    """
    written = 0
    for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as source:
            catalogue = read_po(source, locale=po_path.parent.parent.name)
        temporary = mo_path.with_suffix(".mo.tmp")
        with temporary.open("wb") as target:
            write_mo(target, catalogue)
        temporary.replace(mo_path)
        written += 1
    if written:
        log.info("compiled %d message catalogues", written)
    return written


def init_app(app: Flask) -> None:
    """Wire Flask-Babel, the locale cookie and the template helpers."""
    try:
        compile_catalogues()
    except OSError as exc:  # a read-only install: the build step compiled them already
        log.warning("message catalogues not compiled: %s", exc)
    Babel(app, locale_selector=select_locale, default_translation_directories=str(TRANSLATIONS))
    app.after_request(_remember_choice)
    app.jinja_env.globals.update(html_lang=html_lang, locale_code=locale_code, languages=LANGUAGES)
    app.add_template_filter(percent, "percent")
    app.add_template_filter(number, "number")
    app.add_template_filter(status_text, "status_text")
    app.add_template_filter(banner_lead, "banner_lead")
    app.jinja_env.globals.update(page_words=page_words)
