"""Each subscriber's email in their own language; a fan-out renders once per language."""
from __future__ import annotations

import re

from flask import template_rendered

from statuspage.domain.locales import LOCALES
from statuspage.extensions import db
from statuspage.models import Subscriber
from statuspage.services import tokens
from tests.conftest import make_incident
from tests.helpers_subs import (csrf_from, html_part, link, make_subscriber, subscriber,
                                text_part)

# Per locale: the subject's impact and status words and the body's "Follow this incident".
WORDS = {"en": ("Major impact, investigating", "Follow this incident"),
         "de": ("Große Auswirkung, wird untersucht", "Störung verfolgen"),
         "fr": ("Impact majeur, en cours d’analyse", "Suivre cet incident"),
         "es": ("Impacto grave, investigando", "Seguir este incidente"),
         "pt_BR": ("Impacto grave, investigando", "Acompanhar este incidente"),
         "ja": ("大きな影響, 調査中", "この障害の最新情報を見る")}


def _with_locale(email: str, locale: str) -> Subscriber:
    sub = make_subscriber(email)
    sub.locale = locale
    db.session.commit()
    return sub


def test_each_subscriber_gets_the_incident_in_their_locale_rendered_once_per_locale(
        app, api, smtp, run_worker):
    sink = smtp.start()
    for locale in LOCALES:
        for n in range(3):
            _with_locale(f"{locale.lower()}-{n}@example.com", locale)
    renders = []

    def count(sender, template, context, **extra):
        if template.name.startswith("email/incident."):
            renders.append((template.name, context.get("html_lang")))

    with template_rendered.connected_to(count, app):
        make_incident(api, title="Checkout errors", severity="SEV2", summary="Card payments fail.")
        run_worker()
    # One text and one HTML render per locale, not per subscriber (18 messages went out).
    assert sorted(renders) == sorted((f"email/incident.{part}", locale.replace("_", "-"))
                                     for locale in LOCALES for part in ("txt", "html"))
    assert len(sink.messages) == 3 * len(LOCALES)
    for locale in LOCALES:
        status, follow = WORDS[locale]
        for n in range(3):
            [message] = sink.to(f"{locale.lower()}-{n}@example.com")
            assert message["Subject"] == f"[Acme Cloud] {status}: Checkout errors"
            assert follow in text_part(message) and follow in html_part(message)
            assert f'<html lang="{locale.replace("_", "-")}">' in html_part(message)
            # Personal links are each recipient's own, in both parts.
            unsubscribe = link(message, "unsubscribe")
            assert unsubscribe in html_part(message) and "@@" not in text_part(message)
            assert message["List-Unsubscribe"] == f"<http://status.test{unsubscribe}>"


def test_subscribing_keeps_the_page_language_and_the_manage_page_changes_it(
        app, client, smtp, run_worker):
    sink = smtp.start()
    form = client.get("/subscriptions/?lang=de")
    assert 'lang="de"' in form.text
    response = client.post("/subscriptions/", data={"email": "leser@example.com", "scope": "all",
                                                   "csrf_token": csrf_from(form.text)})
    assert response.status_code == 200 and "Bitte prüfen Sie Ihr Postfach" in response.text
    assert subscriber("leser@example.com").locale == "de"
    run_worker()
    [confirmation] = sink.to("leser@example.com")
    assert confirmation["Subject"] == "Bestätigen Sie Ihr Abonnement der Statusmeldungen von Acme Cloud"
    assert "Bestätigen" in text_part(confirmation) and '<html lang="de">' in html_part(confirmation)
    confirm_page = client.get(link(confirmation, "confirm"))
    assert "Abonnement bestätigen" in confirm_page.text  # the cookie keeps the page German
    client.post(link(confirmation, "confirm"), data={"csrf_token": csrf_from(confirm_page.text)})
    assert subscriber("leser@example.com").confirmed_at is not None

    sub = subscriber("leser@example.com")
    manage_path = "/subscriptions/manage/" + tokens.make("manage", sub.id, sub.email)
    page = client.get(manage_path)
    assert re.search(r'<option value="de"[^>]*selected', page.text)
    saved = client.post(manage_path, data={"action": "save", "scope": "all", "locale": "ja",
                                           "csrf_token": csrf_from(page.text)})
    assert saved.status_code == 200
    assert subscriber("leser@example.com").locale == "ja"


def test_the_json_api_takes_the_locale_from_the_body_or_accept_language(client):
    client.post("/api/subscribers", json={"email": "one@example.com", "locale": "fr"})
    client.post("/api/subscribers", json={"email": "two@example.com"}, headers={"Accept-Language": "ja"})
    client.post("/api/subscribers", json={"email": "three@example.com"})
    assert [subscriber(f"{n}@example.com").locale for n in ("one", "two", "three")] == ["fr", "ja", "en"]
    bad = client.post("/api/subscribers", json={"email": "x@example.com", "locale": "xx"})
    assert bad.status_code == 422
