"""The customer's pay page and the simulated card's hosted page, through HTTP."""

import zoneinfo
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import dateformat, timezone

from tentative.bookings.models import Booking
from tentative.core.states import State
from tentative.payments import actions
from tentative.payments.jobs import deliver_simulated
from tentative.payments.models import Payment, PaymentRequest, SimulatedDelivery
from tests.factories import CustomerFactory, book, on_sale, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(org):
    org.name, org.time_zone = "Théâtre du Port", "Europe/Paris"
    org.save()
    date, ticket = on_sale(org, capacity=10)  # 20.00 EUR each
    option = book(staff(org), date, ticket, quantity=2, mode=State.OPTION)
    return actions.create_payment_request(option.id, actor=staff(org))


def url(link: PaymentRequest) -> str:
    return f"/pay/{link.token}/"


def pay_through(client, link, **choice):  # type: ignore[no-untyped-def]
    """Open the link, press Pay, submit the hosted page; returns the last response."""
    response = client.post(url(link))
    assert response.status_code == 302 and "/simulated-card/" in response["Location"]
    card = client.get(response["Location"])
    assert card.status_code == 200
    form = {"choice": "success", "late_minutes": "0", **choice}
    back = client.post(response["Location"], form)
    assert back.status_code == 302
    return client.get(back["Location"], follow=True)


def test_the_page_shows_the_booking_the_amount_and_the_expiry_in_the_org_s_zone(client, link):
    page = client.get(url(link), HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Théâtre du Port" in text and link.booking.reference in text
    assert "40.00 EUR" in text and "SIMULATED" in text
    paris = timezone.localtime(link.expires_at, zoneinfo.ZoneInfo("Europe/Paris"))
    assert "Europe/Paris" in text
    # English writes the time as "9:15 a.m." or, on the hour, "9 a.m." (Django's "P").
    assert dateformat.format(paris, "P") in text or f"{paris.hour}:{paris.minute:02d}" in text


def test_the_page_follows_the_browser_s_language(client, link):
    page = client.get(url(link), HTTP_ACCEPT_LANGUAGE="fr")
    text = page.content.decode()
    assert "Payer 40,00\xa0EUR" in text or "Payer 40,00 EUR" in text
    assert "SIMULÉ" in text


def test_paying_confirms_the_option_and_the_page_thanks(client, link):
    page = pay_through(client, link)
    assert "Paid, thank you!" in page.content.decode()
    assert Booking.objects.get(id=link.booking_id).state == State.CONFIRMED
    assert PaymentRequest.objects.get(id=link.id).state == "paid"
    # The worker's notifications come after the redirect: nothing counted twice.
    deliver_simulated(now=timezone.now())
    payment = Payment.objects.get(request=link)
    assert payment.captured == Decimal("40")
    assert set(SimulatedDelivery.objects.values_list("outcome", flat=True)) == {"stale"}
    again = client.post(url(link))
    assert again.status_code == 409 and "already been paid" in again.content.decode()
    assert Payment.objects.filter(request=link).count() == 1


def test_once_paid_the_page_leads_to_the_booking_in_the_personal_space(client, org):
    date, ticket = on_sale(org, capacity=10)
    who = CustomerFactory(organisation=org, email="ana@example.org")
    option = book(staff(org), date, ticket, mode=State.OPTION, customer_id=who.id)
    link = actions.create_payment_request(option.id, actor=staff(org))
    space = f'href="/o/{org.slug}/me/bookings/{option.reference}/"'
    assert space not in client.get(url(link)).content.decode()  # nothing paid yet
    assert space in pay_through(client, link).content.decode()


def test_a_declined_card_can_try_again(client, link):
    page = pay_through(client, link, choice="decline")
    assert "declined" in page.content.decode()
    assert Payment.objects.get(request=link).state == "failed"
    assert Booking.objects.get(id=link.booking_id).state == State.OPTION
    pay_through(client, link)
    assert Booking.objects.get(id=link.booking_id).state == State.CONFIRMED


def test_pending_is_decided_later_on_the_hosted_page(client, link):
    page = pay_through(client, link, choice="pending")
    assert "pending" in page.content.decode()
    payment = Payment.objects.get(request=link)
    response = client.post(f"/simulated-card/{payment.reference}/decide/", {"choice": "success"})
    assert response.status_code == 302
    client.get(response["Location"])
    assert Booking.objects.get(id=link.booking_id).state == State.CONFIRMED


def test_an_expired_link_is_refused_and_writes_nothing(client, link):
    with time_machine.travel(link.expires_at + timedelta(minutes=1), tick=False):
        page = client.get(url(link))
        assert "has expired" in page.content.decode()
        assert '<button type="submit" class="primary">' not in page.content.decode()
        response = client.post(url(link))
    assert response.status_code == 409
    assert Payment.objects.count() == 0


def test_an_unknown_link_or_payment_is_not_found(client, link):
    assert client.get("/pay/nope/").status_code == 404
    assert client.get("/simulated-card/pay_nope/").status_code == 404
    assert client.get(f"/pay/{link.token}/return/pay_nope/").status_code == 404


def test_a_bad_hosted_page_form_is_refused(client, link):
    location = client.post(url(link))["Location"]
    response = client.post(location, {"choice": "success", "late_minutes": "-1"})
    assert response.status_code == 422
    response = client.post(location, {"choice": "steal", "late_minutes": "0"})
    assert response.status_code == 422
    assert Payment.objects.get(request=link).state == "created"


def test_a_late_notification_only_arrives_through_the_worker(client, link):
    location = client.post(url(link))["Location"]
    client.post(location, {"choice": "success", "late_minutes": "30", "twice": "on"})
    payment = Payment.objects.get(request=link)
    now = timezone.now()
    assert deliver_simulated(now=now) == 0
    assert deliver_simulated(now=now + timedelta(minutes=31)) == 4
    payment.refresh_from_db()
    assert payment.state == "captured"


def test_paid_too_late_says_the_payment_was_refunded(client, org):
    from tentative.bookings import actions as bookings
    from tentative.payments.providers import simulated

    date, ticket = on_sale(org, capacity=2)
    option = book(staff(org), date, ticket, quantity=2, mode=State.OPTION)
    link = actions.create_payment_request(option.id, actor=staff(org))
    # The customer opens the card page just in time, and pays just too late.
    payment = actions.pay_request(link.token, now=link.expires_at - timedelta(minutes=10))
    later = option.deadline_enforced + timedelta(minutes=5)
    assert later - payment.created_at < timedelta(hours=24)
    bookings.expire_lapsed(now=later)
    book(staff(org), date, ticket, quantity=2, mode=State.CONFIRMED, now=later)
    note = simulated.checkout(payment, simulated.Choice.SUCCESS, now=later)
    actions.apply_notification("simulated", note, now=later)  # type: ignore[arg-type]
    with time_machine.travel(later, tick=False):
        text = client.get(url(link), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "it has been refunded in full" in text and "Paid, thank you" not in text
