"""End to end (issue 10): staff send a payment link for an option; the customer opens it
from the email, pays with the simulated card; the option becomes confirmed and the emails
(payment_request, confirmed) arrive at a real SMTP server. The worker's work runs in the
test between the steps (`drain`: the fan-out, the simulated processor's notifications,
delivery)."""

import re

import pytest

from tentative.bookings.models import Booking
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.payments.models import Payment, PaymentRequest, SimulatedDelivery
from tentative.shared.actor import Actor
from tentative.worker.loop import drain
from tests.factories import CustomerFactory, MembershipFactory, book, on_sale
from tests.notifications.conftest import smtp  # noqa: F401  (the fixture)
from tests.notifications.helpers import text_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_send_a_link_the_customer_pays_and_the_option_is_confirmed(
    live_server,
    browser,
    smtp,  # noqa: F811
    settings,
):
    settings.PUBLIC_URL = live_server.url
    member = MembershipFactory(role=Role.MANAGER, user__username="box-office")
    org = member.organisation
    org.name, org.time_zone = "Théâtre du Port", "Europe/Paris"
    org.save()
    date, ticket = on_sale(org, capacity=10, name="Tarif plein")  # 20.00 EUR each
    who = CustomerFactory(organisation=org, language="fr", email="claire@example.org")
    option = book(Actor.staff(member), date, ticket, quantity=2, customer_id=who.id)
    drain()  # the option_created email
    assert option.state == State.OPTION

    # Staff: sign in, open the option's payments page from the list, create a link.
    staff_page = browser.new_context(locale="en-GB").new_page()
    staff_page.goto(f"{live_server.url}/staff/login/?next=/staff/bookings/")
    staff_page.fill("input[name=username]", "box-office")
    staff_page.fill("input[name=password]", "pw-for-tests")
    staff_page.click("button[type=submit]")
    staff_page.click(f"text={option.reference}")  # the booking page, then its payments
    staff_page.wait_for_url(f"**/staff/bookings/{option.reference}/")
    staff_page.click(f'a[href$="/staff/bookings/{option.reference}/payments/"]')
    staff_page.wait_for_url(f"**/staff/bookings/{option.reference}/payments/")
    assert staff_page.input_value("#id_amount") == "40.00"
    staff_page.click("text=Create the link")
    staff_page.wait_for_selector("text=Payment link created")
    link = PaymentRequest.objects.get(booking=option)
    field = staff_page.locator(f"#link-{link.id}")
    assert field.input_value() == f"{live_server.url}/pay/{link.token}/"
    staff_page.click(f"[data-copy=link-{link.id}]")
    staff_page.wait_for_selector("text=Copied")
    staff_page.click(f'form[action$="/requests/{link.id}/send/"] button')
    staff_page.wait_for_selector("text=The payment link was emailed to the customer.")

    # The worker sends the email; the customer finds the link in it.
    drain()
    email = smtp.by_subject(f"paiement de {option.reference}")
    assert len(email) == 1 and email[0]["To"] == "claire@example.org"
    body = text_of(email[0])
    assert "MODE TEST" in body and "SIMULÉ" in body
    url = re.search(r"http://\S+/pay/\S+/", body).group(0)  # type: ignore[union-attr]
    assert url == field.input_value()

    # The customer, in French: opens it, pays with the simulated card (success).
    customer = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    page = customer.new_page()
    page.goto(url)
    assert "Payer 40,00" in page.inner_text("main") and "SIMULÉ" in page.inner_text("body")
    page.click("button.primary")
    page.wait_for_url("**/simulated-card/**")
    assert "MODE TEST" in page.inner_text("header")
    page.check("input[value=success]")
    page.click("button.primary")
    page.wait_for_url(f"**/pay/{link.token}/?payment=*")
    assert "Payé, merci\u00a0!" in page.inner_text("main")
    assert "est confirmée" in page.inner_text("main")

    # Confirmed at once by the return page; the processor's notifications, posted by the
    # worker afterwards, change nothing; the confirmation email arrives.
    assert Booking.objects.get(id=option.id).state == State.CONFIRMED
    drain()
    payment = Payment.objects.get(request=link)
    assert (payment.state, payment.captured) == ("captured", 40)
    assert set(SimulatedDelivery.objects.values_list("outcome", flat=True)) == {"stale"}
    assert PaymentRequest.objects.get(id=link.id).state == "paid"
    confirmed = smtp.by_subject("confirmée")
    assert len(confirmed) == 1 and confirmed[0]["To"] == "claire@example.org"

    # Staff see it paid.
    staff_page.reload()
    assert "Paid" in staff_page.inner_text("main")
    assert "No open payment request." in staff_page.inner_text("main")
    # The link now thanks instead of taking money twice.
    page.goto(url)
    assert "Payé, merci\u00a0!" in page.inner_text("main")
    assert page.locator("button.primary").count() == 0
    customer.close()
