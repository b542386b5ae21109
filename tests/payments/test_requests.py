"""Payment requests (links, seed 004): what they may ask, when they expire, how they are
sent, and that an expired, paid or withdrawn link is refused with nothing written."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tentative.audit.models import AuditEntry
from tentative.bookings import actions as bookings
from tentative.bookings.models import Booking
from tentative.core.states import State
from tentative.outbox.models import OutboxMessage
from tentative.payments import actions, errors
from tentative.payments.models import Payment, PaymentRequest
from tentative.payments.providers import simulated
from tentative.shared.errors import NotFound
from tests.factories import OrganisationFactory, book, on_sale, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def option(org):
    date, ticket = on_sale(org, capacity=10)  # 20.00 EUR each
    return book(staff(org), date, ticket, quantity=2, mode=State.OPTION)


def test_a_request_asks_for_what_is_due_until_the_options_deadline(org, option):
    request = actions.create_payment_request(option.id, actor=staff(org))
    assert (request.amount, request.currency) == (Decimal("40.000"), "EUR")
    assert request.expires_at == min(option.deadline_shown, option.deadline_enforced)
    assert request.state == "open" and len(request.token) >= 32
    assert AuditEntry.objects.filter(booking=option, action="payment.request").count() == 1
    # Not sent unless asked: no email yet.
    assert not OutboxMessage.objects.filter(topic="payment.requested").exists()


def test_a_firm_booking_s_request_lasts_seven_days(org):
    date, ticket = on_sale(org, capacity=10)
    firm = book(staff(org), date, ticket, quantity=1, mode=State.CONFIRMED)
    now = timezone.now()
    request = actions.create_payment_request(firm.id, actor=staff(org), now=now)
    assert request.expires_at == now + timedelta(days=7)


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        ("0", errors.AmountInvalid),
        ("-5", errors.AmountInvalid),
        ("12.345", errors.AmountInvalid),
        ("40.01", errors.AmountAboveBalance),
    ],
)
def test_a_bad_amount_is_refused_and_nothing_is_written(org, option, amount, error):
    with pytest.raises(error) as refused:
        actions.create_payment_request(option.id, actor=staff(org), amount=Decimal(amount))
    assert PaymentRequest.objects.count() == 0
    assert refused.value.text  # a sentence, not a code


def test_above_the_balance_says_what_is_still_due(org, option):
    actions.record_payment(option.id, actor=staff(org), amount=Decimal("15"))
    with pytest.raises(errors.AmountAboveBalance) as refused:
        actions.create_payment_request(option.id, actor=staff(org), amount=Decimal("30"))
    assert "25.00 EUR" in refused.value.text
    request = actions.create_payment_request(option.id, actor=staff(org))
    assert request.amount == Decimal("25")


def test_nothing_due_nothing_to_request(org):
    date, ticket = on_sale(org, capacity=10)
    firm = book(staff(org), date, ticket, quantity=1, mode=State.CONFIRMED)
    actions.record_payment(firm.id, actor=staff(org), amount=Decimal("20"))
    with pytest.raises(errors.NothingDue):
        actions.create_payment_request(firm.id, actor=staff(org))
    with pytest.raises(errors.NothingDue):
        actions.create_payment_request(firm.id, actor=staff(org), amount=Decimal("1"))


def test_a_cancelled_booking_cannot_be_asked_to_pay(org, option):
    bookings.cancel_booking(option.id, actor=staff(org), reason="changed plans")
    with pytest.raises(errors.NotPayable) as refused:
        actions.create_payment_request(option.id, actor=staff(org))
    assert "Cancelled" in refused.value.text
    assert PaymentRequest.objects.count() == 0


def test_an_expiry_in_the_past_or_after_the_options_limit_is_refused(org, option):
    now = timezone.now()
    for wanted in (now - timedelta(minutes=1), option.deadline_enforced + timedelta(minutes=1)):
        with pytest.raises(errors.ExpiryInvalid):
            actions.create_payment_request(option.id, actor=staff(org), expires_at=wanted, now=now)
    request = actions.create_payment_request(
        option.id, actor=staff(org), expires_at=now + timedelta(hours=2), now=now
    )
    assert request.expires_at == now + timedelta(hours=2)


def test_another_organisation_cannot_ask_or_send(org, option):
    stranger = staff(OrganisationFactory())
    with pytest.raises(NotFound):
        actions.create_payment_request(option.id, actor=stranger)
    request = actions.create_payment_request(option.id, actor=staff(org))
    with pytest.raises(NotFound):
        actions.send_payment_request(request.id, actor=stranger)


def test_sending_emails_the_absolute_link_through_the_outbox(org, option, settings):
    settings.PUBLIC_URL = "https://book.example.org"
    request = actions.create_payment_request(option.id, actor=staff(org), send=True)
    actions.send_payment_request(request.id, actor=staff(org))
    request.refresh_from_db()
    assert request.sent_count == 2 and request.sent_at is not None
    events = OutboxMessage.objects.filter(booking=option, topic="payment.requested")
    assert events.count() == 2
    payload = events.first().payload  # type: ignore[union-attr]
    assert payload["url"] == f"https://book.example.org/pay/{request.token}/"
    assert (payload["amount"], payload["currency"]) == ("40.00", "EUR")
    assert payload["expires_at"] == request.expires_at.isoformat()


def test_an_expired_link_is_refused_and_nothing_is_written(org, option):
    request = actions.create_payment_request(option.id, actor=staff(org))
    later = request.expires_at + timedelta(seconds=1)
    written = (Payment.objects.count(), OutboxMessage.objects.count(), AuditEntry.objects.count())
    with pytest.raises(errors.RequestExpired):
        actions.pay_request(request.token, now=later)
    with pytest.raises(errors.RequestExpired):
        actions.send_payment_request(request.id, actor=staff(org), now=later)
    assert (
        Payment.objects.count(),
        OutboxMessage.objects.count(),
        AuditEntry.objects.count(),
    ) == written
    assert request.shown_state(later) == "expired"
    assert request.shown_state(request.expires_at - timedelta(seconds=1)) == "open"


def test_an_unknown_link_is_not_found(org, option):
    with pytest.raises(NotFound):
        actions.pay_request("no-such-token")
    with pytest.raises(NotFound):
        actions.pay_request("bad\x00token")


def pay_by_card(token: str, now=None) -> Payment:  # type: ignore[no-untyped-def]
    """The customer opens the link and succeeds on the simulated card's page; the return
    page applies the processor's answer."""
    now = now or timezone.now()
    payment = actions.pay_request(token, now=now)
    note = simulated.checkout(payment, simulated.Choice.SUCCESS, now=now)
    assert note is not None
    actions.apply_notification("simulated", note, now=now)
    return payment


def test_paying_a_link_confirms_the_option_and_the_link_is_paid(org, option):
    request = actions.create_payment_request(option.id, actor=staff(org))
    payment = pay_by_card(request.token)
    payment.refresh_from_db()
    request.refresh_from_db()
    assert payment.state == "captured" and payment.request_id == request.id
    assert request.state == "paid" and request.paid_at is not None
    assert Booking.objects.get(id=option.id).state == State.CONFIRMED
    count = Payment.objects.count()
    with pytest.raises(errors.RequestPaid):
        actions.pay_request(request.token)
    assert Payment.objects.count() == count


def test_each_visit_opens_a_fresh_payment_and_one_paid_is_enough(org, option):
    request = actions.create_payment_request(option.id, actor=staff(org))
    first = actions.pay_request(request.token)
    second = actions.pay_request(request.token)
    assert first.reference != second.reference
    assert PaymentRequest.objects.get(id=request.id).state == "open"
    pay_by_card(request.token)
    assert Payment.objects.filter(request=request).count() == 3
    assert Payment.objects.filter(request=request, state="captured").count() == 1


def test_a_link_never_asks_more_than_is_still_due(org, option):
    request = actions.create_payment_request(option.id, actor=staff(org))
    actions.record_payment(option.id, actor=staff(org), amount=Decimal("30"))
    payment = actions.pay_request(request.token)
    assert payment.amount == Decimal("10")


def test_a_link_of_a_cancelled_booking_is_refused(org, option):
    request = actions.create_payment_request(option.id, actor=staff(org))
    bookings.cancel_booking(option.id, actor=staff(org), reason="changed plans")
    with pytest.raises(errors.NotPayable):
        actions.pay_request(request.token)
    assert Payment.objects.count() == 0
