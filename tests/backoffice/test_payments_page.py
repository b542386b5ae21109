"""A booking's payments page for staff: balance, payments and refunds, payment requests to
copy or email, recording a desk payment and refunding, refusals next to their field."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.outbox.models import OutboxMessage
from tentative.payments import actions
from tentative.payments.models import Payment, PaymentRequest, Refund
from tentative.shared.actor import Actor
from tests.factories import MembershipFactory, OrganisationFactory, book, on_sale

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(org):  # type: ignore[no-untyped-def]
    return MembershipFactory(organisation=org, role=Role.OWNER)


@pytest.fixture
def option(org, member):  # type: ignore[no-untyped-def]
    date, ticket = on_sale(org, capacity=10)  # 20.00 EUR each
    return book(Actor.staff(member), date, ticket, quantity=2, mode=State.OPTION)


def url(booking, tail: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/staff/bookings/{booking.reference}/payments/{tail}"


def test_the_bookings_list_links_to_each_booking_s_payments(client, member, option):
    client.force_login(member.user)
    assert url(option) in client.get("/staff/bookings/").content.decode()


def test_the_page_shows_the_balance_and_offers_the_outstanding_amount(client, member, option):
    client.force_login(member.user)
    page = client.get(url(option), headers={"accept-language": "en"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Unpaid" in text and "40.00 EUR" in text
    assert 'name="amount" value="40.00"' in text
    french = client.get(url(option), headers={"accept-language": "fr"}).content.decode()
    assert "Demander un paiement" in french and "40,00" in french


def test_another_organisation_s_booking_is_not_found(client, option):
    stranger = MembershipFactory(organisation=OrganisationFactory())
    client.force_login(stranger.user)
    assert client.get(url(option)).status_code == 404
    assert client.post(url(option, "record/"), {"amount": "5", "method": "cash"}).status_code == 404
    assert Payment.objects.count() == 0


def test_signed_out_goes_to_the_login(client, option):
    assert "/staff/login/" in client.get(url(option))["Location"]


def test_request_a_link_copy_it_and_email_it(client, member, option, settings):
    settings.PUBLIC_URL = "https://book.example.org"
    client.force_login(member.user)
    response = client.post(url(option, "request/"), {"amount": "40.00", "expires_at": ""})
    assert response.status_code == 302
    link = PaymentRequest.objects.get(booking=option)
    page = client.get(url(option)).content.decode()
    assert f'value="https://book.example.org/pay/{link.token}/"' in page and "data-copy" in page
    response = client.post(url(option, f"requests/{link.id}/send/"), follow=True)
    assert "emailed to the customer" in response.content.decode()
    assert OutboxMessage.objects.filter(topic="payment.requested").count() == 1


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "Enter an amount above zero"),
        ("12.345", "at most 2 decimals"),
        ("40.01", "At most 40.00 EUR is still due"),
        ("abc", "Enter a number"),
    ],
)
def test_a_bad_amount_is_refused_next_to_the_field(client, member, option, amount, message):
    client.force_login(member.user)
    response = client.post(url(option, "request/"), {"amount": amount})
    assert response.status_code == 422
    text = response.content.decode()
    assert message in text
    # Next to the amount field: the error follows the input, before the expiry's.
    assert text.index('id="id_amount"') < text.index(message) < text.index("id_expires_at")
    assert PaymentRequest.objects.count() == 0


def test_an_expired_request_leaves_the_open_list(client, member, option):
    link = actions.create_payment_request(option.id, actor=Actor.staff(member))
    client.force_login(member.user)
    assert link.token in client.get(url(option)).content.decode()
    with time_machine.travel(link.expires_at + timedelta(minutes=1), tick=False):
        page = client.get(url(option)).content.decode()
        response = client.post(url(option, f"requests/{link.id}/send/"))
    assert link.token not in page and "1 past request" in page
    assert response.status_code == 409 and "has expired" in response.content.decode()


def test_record_a_desk_payment_and_refund_it(client, member, option):
    client.force_login(member.user)
    response = client.post(
        url(option, "record/"), {"amount": "40", "method": "transfer", "note": "IBAN"}
    )
    assert response.status_code == 302
    payment = Payment.objects.get(booking=option)
    assert (payment.method, payment.state) == ("transfer", "captured")
    page = client.get(url(option)).content.decode()
    assert "Paid" in page and "Bank transfer" in page
    too_much = client.post(url(option, f"{payment.reference}/refund/"), {"amount": "50"})
    assert too_much.status_code == 409 and "can still be refunded" in too_much.content.decode()
    done = client.post(url(option, f"{payment.reference}/refund/"), {"amount": "10"}, follow=True)
    assert "Pay the money back to the customer yourself" in done.content.decode()
    assert Refund.objects.get().amount == Decimal("10")


def test_an_agent_records_but_cannot_refund(client, org, option):
    agent = MembershipFactory(organisation=org, role=Role.AGENT)
    client.force_login(agent.user)
    client.post(url(option, "record/"), {"amount": "10", "method": "cash"})
    payment = Payment.objects.get(booking=option)
    assert "/refund/" not in client.get(url(option)).content.decode()
    response = client.post(url(option, f"{payment.reference}/refund/"), {"amount": "5"})
    assert response.status_code == 403
    assert Refund.objects.count() == 0


def test_withdraw_a_link(client, member, option):
    link = actions.create_payment_request(option.id, actor=Actor.staff(member))
    client.force_login(member.user)
    response = client.post(url(option, f"requests/{link.id}/withdraw/"), follow=True)
    text = response.content.decode()
    assert "withdrawn" in text and link.token not in text
    assert PaymentRequest.objects.get(id=link.id).state == "cancelled"
    again = client.post(url(option, f"requests/{link.id}/withdraw/"))
    assert again.status_code == 409
