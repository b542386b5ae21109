"""Emails and the personal space, through a real SMTP server: the sign-in link arrives in
the visitor's language, and every email that asks the customer to act links to the
booking's page (`manage_url`)."""

from __future__ import annotations

import re

import pytest

from tentative.core.states import State
from tentative.payments import actions as payments
from tentative.worker.loop import drain
from tests.factories import CustomerFactory, book, on_sale, staff
from tests.notifications.helpers import text_of
from tests.portal.helpers import ask_link, path_of, space

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "subject"),
    [("en", "your sign-in link"), ("fr", "votre lien de connexion"), ("es", "tu enlace de acceso")],
)
def test_the_sign_in_link_arrives_in_the_visitor_s_language(client, org, smtp, language, subject):
    CustomerFactory(organisation=org, email="ana@example.org")
    ask_link(client, org, "ana@example.org", HTTP_ACCEPT_LANGUAGE=language)
    drain()
    [message] = smtp.received
    assert message["To"] == "ana@example.org"
    assert subject in message["Subject"]
    url = re.search(r"https?://\S+", text_of(message)).group(0)  # type: ignore[union-attr]
    assert path_of(url).startswith(f"{space(org)}link/?sesame=")
    # The emailed link signs in.
    token = re.search(r"sesame=([^&\s]+)", url).group(1)  # type: ignore[union-attr]
    assert client.post(f"{space(org)}link/", {"sesame": token}).status_code == 302
    assert client.get(space(org)).status_code == 200


@pytest.mark.parametrize(
    ("mode", "terms"),
    [
        (State.OPTION, {}),
        (State.REQUEST, {"requires_approval": True}),
        (State.QUOTE, {}),
        (State.CONFIRMED, {}),
    ],
)
def test_customer_emails_link_to_the_booking_s_page(org, smtp, settings, mode, terms):
    settings.PUBLIC_URL = "https://tickets.example.org"
    who = CustomerFactory(organisation=org, language="en")
    date, ticket = on_sale(org, **terms)
    booking = book(staff(org), date, ticket, mode=mode, customer_id=who.id)
    drain()
    expected = f"https://tickets.example.org/o/{org.slug}/me/bookings/{booking.reference}/"
    customer_emails = [m for m in smtp.received if m["To"] == who.email]
    assert customer_emails
    for message in customer_emails:
        assert expected in text_of(message), message["Subject"]


def test_the_payment_request_email_links_to_the_booking_too(org, smtp):
    who = CustomerFactory(organisation=org, language="fr")
    date, ticket = on_sale(org)
    booking = book(staff(org), date, ticket, customer_id=who.id)
    request = payments.create_payment_request(booking.id, actor=staff(org))
    payments.send_payment_request(request.id, actor=staff(org))
    drain()
    [message] = [m for m in smtp.received if "paiement" in m["Subject"]]
    assert f"/o/{org.slug}/me/bookings/{booking.reference}/" in text_of(message)
    assert "billets)\u00a0:" in text_of(message)
