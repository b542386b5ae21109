"""Payments and refunds as records: offline at the desk, the simulated card's signed
notifications, refunds, and the booking's balance computed from them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tentative.audit.models import AuditEntry
from tentative.bookings.actions import cancel_booking
from tentative.bookings.models import Booking
from tentative.core.money import PaymentStatus
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.outbox.models import OutboxMessage
from tentative.payments import actions, errors
from tentative.payments.actions.receive_notification import Outcome
from tentative.payments.models import Payment, ProviderEvent, Refund
from tentative.payments.selectors import balance
from tentative.shared.errors import Forbidden, NotFound
from tests.factories import OrganisationFactory, book, on_sale, staff
from tests.payments.helpers import notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def option(org):
    date, ticket = on_sale(org, capacity=10)  # 20.00 EUR each
    return book(staff(org), date, ticket, quantity=2, mode=State.OPTION)


def test_cash_at_the_desk_pays_and_confirms_the_option(org, option):
    owner = staff(org)
    actions.record_payment(option.id, actor=owner, amount=Decimal("15.00"))
    option.refresh_from_db()
    assert balance(option).status == PaymentStatus.PARTIALLY_PAID
    assert option.state == State.OPTION
    actions.record_payment(option.id, actor=owner, amount=Decimal("25.00"), method="terminal")
    option.refresh_from_db()
    assert option.state == State.CONFIRMED
    assert balance(option).status == PaymentStatus.PAID
    assert balance(option).outstanding.amount == 0
    assert AuditEntry.objects.filter(booking=option, action="payment.record").count() == 2
    assert OutboxMessage.objects.filter(booking=option, topic="payment.captured").count() == 2


@pytest.mark.parametrize("amount", ["0", "-5", "12.345", "NaN", "Infinity"])
def test_a_bad_amount_is_refused_and_nothing_is_written(org, option, amount):
    with pytest.raises(errors.AmountInvalid):
        actions.record_payment(option.id, actor=staff(org), amount=Decimal(amount))
    assert Payment.objects.count() == 0


def test_another_organisations_booking_cannot_be_paid(org, option):
    stranger = staff(OrganisationFactory())
    with pytest.raises(NotFound):
        actions.record_payment(option.id, actor=stranger, amount=Decimal("10"))


def card_payment(org, option, amount="40.00"):  # type: ignore[no-untyped-def]
    return actions.record_payment(
        option.id, actor=staff(org), amount=Decimal(amount), method="card"
    )


def test_a_signed_capture_pays_the_booking_once_however_often_it_comes(org, option):
    payment = card_payment(org, option)
    assert payment.state == "created" and balance(option).status == PaymentStatus.UNPAID
    body, headers = notification(payment, "captured", event_id="evt_1")
    assert actions.receive_notification("simulated", body, headers) == Outcome.APPLIED
    assert actions.receive_notification("simulated", body, headers) == Outcome.DUPLICATE
    payment.refresh_from_db()
    assert (payment.state, payment.captured) == ("captured", Decimal("40.000"))
    assert Booking.objects.get(id=option.id).state == State.CONFIRMED
    assert OutboxMessage.objects.filter(booking=option, topic="payment.captured").count() == 1


def test_out_of_order_notifications_never_move_a_payment_back(org, option):
    payment = card_payment(org, option)
    captured = notification(payment, "captured", event_id="evt_2")
    authorised = notification(payment, "authorised", event_id="evt_1")
    failed = notification(payment, "failed", event_id="evt_3")
    assert actions.receive_notification("simulated", *captured) == Outcome.APPLIED
    assert actions.receive_notification("simulated", *authorised) == Outcome.STALE
    assert actions.receive_notification("simulated", *failed) == Outcome.STALE
    payment.refresh_from_db()
    assert payment.state == "captured"


def test_a_bad_signature_an_old_one_or_an_unknown_payment_changes_nothing(org, option):
    payment = card_payment(org, option)
    body, headers = notification(payment, "captured", event_id="evt_1")
    tampered = body.replace(b"captured", b"cancelled")
    with pytest.raises(errors.BadNotification):
        actions.receive_notification("simulated", tampered, headers)
    old = notification(
        payment, "captured", event_id="evt_2", at=timezone.now() - timedelta(minutes=10)
    )
    with pytest.raises(errors.BadNotification):
        actions.receive_notification("simulated", *old)
    with pytest.raises(errors.BadNotification):
        actions.receive_notification("simulated", body, {})
    payment.reference = "pay_unknown"
    with pytest.raises(errors.UnknownPayment):
        actions.receive_notification("simulated", *notification(payment, "captured", event_id="x"))
    assert ProviderEvent.objects.count() == 0
    assert Payment.objects.get().state == "created"


def test_a_capture_larger_than_asked_is_refused(org, option):
    payment = card_payment(org, option)
    too_much = notification(payment, "captured", event_id="evt_1", captured=Decimal("41"))
    with pytest.raises(errors.BadNotification):
        actions.receive_notification("simulated", *too_much)
    assert ProviderEvent.objects.count() == 0


def test_refunds_never_exceed_what_was_captured(org, option):
    owner = staff(org)
    payment = actions.record_payment(option.id, actor=owner, amount=Decimal("40"))
    actions.refund_payment(payment.reference, actor=owner, amount=Decimal("30"), reason="1 less")
    with pytest.raises(errors.RefundTooLarge, match="10"):
        actions.refund_payment(payment.reference, actor=owner, amount=Decimal("10.01"))
    actions.refund_payment(payment.reference, actor=owner, amount=Decimal("10"))
    assert Refund.objects.count() == 2
    now = balance(Booking.objects.get(id=option.id))
    assert (now.captured.amount, now.refunded.amount) == (Decimal("40"), Decimal("40"))
    assert now.status == PaymentStatus.UNPAID and now.outstanding.amount == 40


def test_an_offline_refund_tells_staff_to_pay_it_back(org, option):
    owner = staff(org)
    payment = actions.record_payment(option.id, actor=owner, amount=Decimal("40"))
    actions.refund_payment(payment.reference, actor=owner, amount=Decimal("5"))
    event = OutboxMessage.objects.get(topic="refund.done")
    assert event.payload["pay_back_yourself"] is True


def test_only_a_captured_payment_is_refunded_and_only_by_managers(org, option):
    owner = staff(org)
    pending = card_payment(org, option)
    with pytest.raises(errors.NotRefundable):
        actions.refund_payment(pending.reference, actor=owner, amount=Decimal("1"))
    paid = actions.record_payment(option.id, actor=owner, amount=Decimal("40"))
    with pytest.raises(Forbidden):
        actions.refund_payment(paid.reference, actor=staff(org, Role.AGENT), amount=Decimal("1"))
    assert Refund.objects.count() == 0


def test_a_cancelled_booking_owes_nothing_and_what_it_paid_reads_as_money_to_give_back(org, option):
    owner = staff(org)
    actions.record_payment(option.id, actor=owner, amount=Decimal("15.00"))
    cancel_booking(option.id, actor=owner, reason="customer called")
    option.refresh_from_db()
    money = balance(option)
    assert money.due.amount == 0 and money.outstanding.amount == Decimal("-15.00")
    assert money.status == PaymentStatus.OVERPAID
    before = Payment.objects.count()
    with pytest.raises(errors.NotPayable):
        actions.record_payment(option.id, actor=owner, amount=Decimal("5.00"))
    assert Payment.objects.count() == before


def test_a_card_page_finished_after_the_cancellation_is_refunded_at_once(org, option):
    owner = staff(org)
    card = actions.record_payment(
        option.id, actor=owner, amount=Decimal("40.00"), method=Payment.Method.CARD
    )
    cancel_booking(option.id, actor=owner, reason="changed plans")
    actions.receive_notification("simulated", *notification(card, "captured", event_id="late"))
    card.refresh_from_db()
    option.refresh_from_db()
    assert (card.captured, card.refunded) == (Decimal("40.00"), Decimal("40.00"))
    assert option.state == State.CANCELLED and balance(option).outstanding.amount == 0
    assert OutboxMessage.objects.filter(booking=option, topic="refund.done").count() == 1
