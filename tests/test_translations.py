"""Every page, message and email string in English, French and Spanish.

The compiled catalogs are committed (a new Debian has no msgfmt), so these tests check that
the committed files are complete, fully translated, and that each .mo is its .po compiled;
then a few real renders in French and Spanish.
"""

from __future__ import annotations

import gettext
import json
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.utils import translation

import tentative
from tentative.core.permissions import Role
from tentative.core.states import State
from tests.factories import MembershipFactory, OrganisationFactory, api_token, book, on_sale, staff

SOURCE = Path(tentative.__file__).resolve().parent
LOCALE = SOURCE / "locale"
LANGUAGES = ("fr", "es")
PLURAL_FORMS = {"fr": 2, "es": 3}  # what the headers say, as in Django's own catalogs


@pytest.fixture(autouse=True)
def language_put_back():  # type: ignore[no-untyped-def]
    """The renders below leave their language active in the thread (a request's language
    stays until another request changes it): each test starts in the default language
    and puts back the one it found, so French never leaks into the tests that follow."""
    with translation.override(django_settings.LANGUAGE_CODE):
        yield


def catalog(language: str, root: Path = LOCALE):  # type: ignore[no-untyped-def]
    with (root / language / "LC_MESSAGES" / "django.po").open("rb") as f:
        return read_po(f)


def key(message) -> tuple[str | None, str]:  # type: ignore[no-untyped-def]
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return message.context, msgid


def strings(message) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    return (message.string,) if isinstance(message.string, str) else tuple(message.string)


# (a) every entry translated, none fuzzy ---------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(language: str) -> None:
    po = catalog(language)
    messages = [m for m in po if m.id]
    assert len(messages) > 200, "the catalog lost most of its entries"
    assert not po.fuzzy, "the header is marked fuzzy: msgfmt would ignore its Plural-Forms"
    assert po.num_plurals == PLURAL_FORMS[language]
    fuzzy = [key(m) for m in messages if m.fuzzy]
    untranslated = [key(m) for m in messages if not all(s.strip() for s in strings(m))]
    wrong_forms = [key(m) for m in messages if m.pluralizable and len(strings(m)) != po.num_plurals]
    assert fuzzy == [], f"{language}: fuzzy entries left"
    assert untranslated == [], f"{language}: entries without a translation"
    assert wrong_forms == [], f"{language}: plural entries without every form"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_are_kept(language: str) -> None:
    """A lost or renamed %(name)s would crash (KeyError) or drop a value at run time."""
    import re

    pattern = re.compile(r"%\(\w+\)[sd]|\{\{ ?\w+ ?\}\}")
    wrong = []
    for m in catalog(language):
        if not m.id:
            continue
        wanted = sorted(set(pattern.findall(m.id if isinstance(m.id, str) else m.id[-1])))
        for s in strings(m):
            if sorted(set(pattern.findall(s))) != wanted:
                wrong.append((key(m), s))
    assert wrong == []


# (b) each committed .mo is its .po compiled -----------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_committed_mo_matches_its_po(language: str) -> None:
    po = catalog(language)
    expected: dict[object, str] = {}
    for m in po:
        if not m.id or m.fuzzy:
            continue
        msgid = key(m)[1] if m.context is None else f"{m.context}\x04{key(m)[1]}"
        if m.pluralizable:
            for i, form in enumerate(strings(m)):
                expected[(msgid, i)] = form
        else:
            expected[msgid] = m.string
    mo_path = LOCALE / language / "LC_MESSAGES" / "django.mo"
    with mo_path.open("rb") as f:
        compiled = dict(gettext.GNUTranslations(f)._catalog)  # type: ignore[attr-defined]
    compiled.pop("", None)  # the header
    assert compiled == expected, (
        f"{mo_path} is stale: run scripts/translations and commit the .mo with its .po"
    )


# (c) the catalogs hold every string the code marks ----------------------------------------


def test_catalogs_hold_every_marked_string(tmp_path: Path, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    missing_tools = [t for t in ("xgettext", "msguniq", "msgmerge") if not shutil.which(t)]
    if missing_tools:
        pytest.skip(
            f"GNU gettext is not installed ({', '.join(missing_tools)}): apt-get install gettext"
        )
    # makemessages writes temporary files next to the templates it reads: work on a copy.
    copy = tmp_path / "src"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("__pycache__", "locale", "*.pyc"))
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=list(LANGUAGES), verbosity=0)
    for language in LANGUAGES:
        fresh = {key(m) for m in catalog(language, tmp_path / "locale") if m.id}
        committed = {key(m) for m in catalog(language) if m.id}
        assert len(fresh) > 200
        missing = sorted(fresh - committed, key=str)
        assert missing == [], (
            f"{language}: strings marked in the code but not in the catalog; "
            "run scripts/translations, translate them and commit"
        )


# (d) real renders ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_login_page_in_french_from_accept_language() -> None:
    response = Client().get("/staff/login/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    assert "Connexion de l’équipe" in html
    assert "Mot de passe" in html
    assert "Password" not in html


@pytest.mark.django_db
def test_staff_login_page_in_spanish_from_the_language_switcher() -> None:
    client = Client()
    assert "Staff sign in" in client.get("/staff/login/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/staff/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/"
    html = client.get("/staff/login/", headers={"Accept-Language": "fr"}).content.decode()
    assert '<html lang="es">' in html, "the chosen language wins over the browser's"
    assert "Acceso del personal" in html
    assert "Contraseña" in html


@pytest.mark.django_db
def test_back_office_bookings_page_in_french() -> None:
    org = OrganisationFactory()
    date, ticket = on_sale(org, capacity=10, deadline_days_before_start=2)
    book(staff(org), date, ticket, mode=State.OPTION, language="fr")
    membership = MembershipFactory(organisation=org, role=Role.OWNER)
    client = Client()
    client.force_login(membership.user)
    html = client.get("/staff/bookings/", headers={"Accept-Language": "fr"}).content.decode()
    assert "<h1>Réservations</h1>" in html
    assert '<option value="confirmed">Confirmée</option>' in html  # the state filter
    assert '<span class="badge state-option">Option</span>' in html
    assert "5 jours après la réservation, au plus tard 2 jours avant l’événement" in html


def post_booking(token: str, body: dict, language: str | None):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token}"}
    if language:
        headers["Accept-Language"] = language
    return Client().post(
        "/api/v1/bookings", json.dumps(body), content_type="application/json", headers=headers
    )


@pytest.mark.django_db
def test_api_sold_out_message_follows_accept_language() -> None:
    org = OrganisationFactory()
    date, ticket = on_sale(org, capacity=1)
    token = api_token(org, Role.OWNER)
    body = {
        "mode": "option",
        "lines": [{"event_date_id": date.id, "ticket_type_id": ticket.id, "quantity": 2}],
    }
    answers = {}
    for language in ("es", None, "fr", "es-ES,es;q=0.8,en;q=0.5"):
        response = post_booking(token, body, language)
        assert response.status_code == 409
        assert response.json()["code"] == "sold_out"
        answers[language] = response.json()["message"]
    assert answers["es"] == "No quedan plazas suficientes (disponibles: 1)."
    assert answers[None] == "Not enough places left: 1 available."
    assert answers["fr"] == "Pas assez de places\u00a0: il en reste 1."
    assert answers["es-ES,es;q=0.8,en;q=0.5"] == answers["es"]


@pytest.mark.django_db
def test_api_errors_raised_before_the_view_follow_accept_language() -> None:
    """The body guard answers before any view: in the caller's language too, not the last one's."""
    org = OrganisationFactory()
    token = api_token(org, Role.OWNER)
    client = Client()
    headers = {"Authorization": f"Bearer {token}"}
    client.get("/staff/login/", headers={"Accept-Language": "fr"})  # leaves French active
    response = client.post(
        "/api/v1/bookings",
        "x",
        content_type="text/plain",
        headers={**headers, "Accept-Language": "es"},
    )
    assert response.status_code == 415
    assert response.json()["message"] == (
        "El cuerpo de la petición debe estar en JSON (Content-Type: application/json)."
    )
    response = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "fr"})
    assert response.status_code == 404
    assert response.json()["message"] == "Introuvable."


@pytest.mark.django_db
def test_an_option_deadline_rule_is_written_in_the_booking_language() -> None:
    org = OrganisationFactory()
    date, ticket = on_sale(org, capacity=10, deadline_days_before_start=2)
    actor = staff(org)
    rules = {
        language: book(actor, date, ticket, language=language).deadline_rule
        for language in ("en", "fr", "es")
    }
    assert rules == {
        "en": "5 days after booking, capped at 2 days before the event",
        "fr": "5 jours après la réservation, au plus tard 2 jours avant l’événement",
        "es": "5 días después de la reserva, como máximo 2 días antes del evento",
    }


@pytest.mark.django_db
def test_illegal_transition_words_state_and_action_in_the_reader_language() -> None:
    org = OrganisationFactory()
    date, ticket = on_sale(org, capacity=10)
    booking = book(staff(org), date, ticket, mode=State.CONFIRMED)
    token = api_token(org, Role.OWNER)
    response = Client().post(
        f"/api/v1/bookings/{booking.reference}/approve",
        "{}",
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "fr"},
    )
    assert response.status_code == 409
    assert response.json() == {
        "code": "illegal_transition",
        "message": "Une réservation à l’état «\u00a0Confirmée\u00a0» ne peut pas être approuvée.",
    }


def test_every_code_shown_to_people_has_a_translated_label() -> None:
    """A new state, role or delivery status would otherwise show as its raw code."""
    from django.utils import translation

    from tentative.audit.models import AuditEntry
    from tentative.bookings import labels
    from tentative.bookings.actions._step import ACTION_WORDS
    from tentative.outbox.models import DELIVERY, OutboxMessage

    assert set(labels.STATES) == {s.value for s in State}
    assert set(labels.ROLES) == {r.value for r in Role}
    assert set(labels.DONE) == set(ACTION_WORDS.values())
    assert set(DELIVERY) == set(OutboxMessage.Status.values)
    with translation.override("es"):
        assert OutboxMessage(status="dead").get_status_display() == "abandonado"
        assert AuditEntry(action="reserve.allocate").action_label == "Plazas apartadas"
    with translation.override("fr"):
        assert labels.label(labels.ROLES, "owner") == "Propriétaire du compte"


def test_french_punctuation_has_its_non_breaking_spaces() -> None:
    """French sets a (non-breaking) space before « : ; ! ? » and inside « »: an ordinary
    space there lets the sign wrap alone onto the next line ("À : …")."""
    wrong = []
    for message in catalog("fr"):
        texts = [message.string] if isinstance(message.string, str) else list(message.string)
        for text in texts:
            if any(f" {sign}" in text for sign in ":;!?»") or "« " in text:
                wrong.append(text)
    templates = SOURCE.rglob("templates/**/fr/*.*")
    for path in templates:
        for line in path.read_text().splitlines():
            if any(f" {sign}" in line for sign in (":", ";", "!", "?", "»")) or "« " in line:
                wrong.append(f"{path.name}: {line}")
    assert wrong == []


@pytest.mark.django_db
def test_staff_read_a_bookings_deadline_rule_in_their_language() -> None:
    """The rule is stored as its parameters beside the text in the booking's language: a
    French booking's rule reads in Spanish to a Spanish reader; a booking made before the
    parameters were stored shows its stored text."""
    from tentative.bookings.models import Booking

    org = OrganisationFactory()
    date, ticket = on_sale(org, capacity=10, deadline_days_before_start=2)
    option = book(staff(org), date, ticket, mode=State.OPTION, language="fr")
    request_ticket = on_sale(org, requires_approval=True, decision_days=3)
    asked = book(staff(org), *request_ticket, mode=State.REQUEST, language="fr")
    quote = book(staff(org), date, ticket, mode=State.QUOTE, language="fr")
    assert option.deadline_rule.startswith("5 jours après la réservation")  # the emails' text
    membership = MembershipFactory(organisation=org, role=Role.OWNER)
    client = Client()
    client.force_login(membership.user)
    pages = {
        b.reference: client.get(
            f"/staff/bookings/{b.reference}/", headers={"Accept-Language": "es"}
        ).content.decode()
        for b in (option, asked, quote)
    }
    assert (
        "5 días después de la reserva, como máximo 2 días antes del evento"
        in (pages[option.reference])
    )
    with translation.override("es"):  # a request's rule, where it is shown (the API…)
        assert Booking.objects.get(id=asked.id).rule_text == "a decidir en 3 días"
    assert asked.deadline_rule == "à décider sous 3 jours"  # the emails' text, in French
    assert "válido 30 días" in pages[quote.reference]
    assert "jours" not in pages[option.reference] and "jours" not in pages[quote.reference]
    listed = client.get("/staff/bookings/", headers={"Accept-Language": "es"}).content.decode()
    assert "5 días después de la reserva" in listed
    # An older booking: no parameters, its stored text.
    Booking.objects.filter(id=option.id).update(deadline_terms=None)
    page = client.get(f"/staff/bookings/{option.reference}/", headers={"Accept-Language": "es"})
    assert "5 jours après la réservation" in page.content.decode()
