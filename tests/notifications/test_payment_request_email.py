"""The payment_request email: the absolute link, and that the card processor is simulated,
in the customer's language."""

import pytest

from tentative.core.states import State
from tentative.payments import actions
from tentative.worker.loop import drain
from tests.factories import CustomerFactory, book, on_sale, staff
from tests.notifications.helpers import html_of, text_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "subject", "simulated"),
    [
        ("en", "payment for", "TEST MODE: this link uses a SIMULATED card processor"),
        ("fr", "paiement de", "MODE TEST\u00a0: ce lien utilise un processeur de cartes SIMULÉ"),
        ("es", "pago de", "MODO DE PRUEBA: este enlace usa un procesador de tarjetas SIMULADO"),
    ],
)
def test_the_link_and_the_simulated_processor_in_each_language(
    org, smtp, settings, language, subject, simulated
):
    settings.PUBLIC_URL = "https://book.example.org"
    date, ticket = on_sale(org)
    who = CustomerFactory(organisation=org, language=language)
    option = book(staff(org), date, ticket, mode=State.OPTION, quantity=2, customer_id=who.id)
    link = actions.create_payment_request(option.id, actor=staff(org), send=True)
    drain()
    message = smtp.by_subject(subject)[0]
    text = text_of(message)
    assert f"https://book.example.org/pay/{link.token}/" in text
    assert simulated in text and simulated.split(":")[0] in html_of(message)
    assert message["To"] == who.email
