"""The console's words: marked for translation in a catalogue of their own.

Readers' catalogues (``messages``) must be complete in every shipped language;
the console's strings live in a second Babel domain, ``console``, so marking them
adds nothing a reader translator has to do. ``_c`` (templates and Python) and
``C_`` (a mark where a string is defined, translated where shown) are what
``babel-console.cfg`` extracts into ``translations/console.pot``. No console
catalogue ships yet, and console requests are English anyway (see
``i18n.select_locale``): every ``_c`` answers with its English text.
"""
from __future__ import annotations

from flask import Flask
from flask_babel import Domain
from markupsafe import Markup, escape

from ..i18n import TRANSLATIONS, html_lang, script_sentence

DOMAIN = "console"
domain = Domain(translation_directories=str(TRANSLATIONS), domain=DOMAIN)


def _c(text: str, **variables) -> str:
    """``text`` in the console's language, ``%(name)s`` filled from ``variables``."""
    return domain.gettext(text, **variables)


def _cn(singular: str, plural: str, num: int, **variables) -> str:
    """The singular or plural form for ``num`` in the console's language (``%(num)d`` is ``num``)."""
    return domain.ngettext(singular, plural, num, **variables)


def C_(text: str) -> str:  # noqa: N802  (the conventional shape extraction tools look for)
    """Mark a console string where it is defined; it is translated (``_c``) where shown."""
    return text


# What the console's scripts say (keys as in static/js/lib/words.js), sent with every page.
SCRIPT_SENTENCES = {
    "toastIncident": C_("New incident update received"),
    "toastPostmortem": C_("A postmortem was published"),
    "lightTheme": C_("Light theme"), "darkTheme": C_("Dark theme"),
    "switchLight": C_("Switch to light theme"), "switchDark": C_("Switch to dark theme"),
    "copy": C_("Copy"), "copied": C_("Copied"),
    "preview": C_("Preview"), "hidePreview": C_("Hide preview"),
    "nothingToPreview": C_("Nothing to preview."),
    "previewFailed": C_("The preview could not be loaded."),
    "justNow": C_("just now"), "ago": C_("%(time)s ago"), "fromNow": C_("in %(time)s"),
    "seconds": C_("%(count)s s"), "minutes": C_("%(count)s min"), "hours": C_("%(count)s h"),
    "day": C_("%(count)s day"), "days": C_("%(count)s days"),
}


def script_words() -> dict:
    """The console scripts' sentences in the console's language, for the page's words block."""
    translations = domain.get_translations()
    return {"locale": html_lang(),
            "sentences": {key: script_sentence(translations.ugettext(text))
                          for key, text in SCRIPT_SENTENCES.items()}}


def _markup(translated: str, variables: dict) -> Markup:
    # Like Jinja's own gettext: the message is text, the values are escaped unless Markup.
    message = Markup(escape(translated))
    return message % variables if variables else message


def template_c(text: str, **variables) -> Markup:
    """``_c`` for templates: safe HTML, each value escaped on its own."""
    return _markup(domain.get_translations().ugettext(text), variables)


def template_cn(singular: str, plural: str, num: int, **variables) -> Markup:
    """``_cn`` for templates: safe HTML, each value escaped on its own."""
    return _markup(domain.get_translations().ungettext(singular, plural, num), {"num": num, **variables})


def init_app(app: Flask) -> None:
    """Give every template ``_c``, ``_cn`` and ``console_words`` (the console's templates use them)."""
    app.add_template_global(template_c, "_c")
    app.add_template_global(template_cn, "_cn")
    app.add_template_global(script_words, "console_words")
