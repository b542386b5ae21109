"""Issue 10 item 7: a payment that arrives for an option that already lapsed confirms it when
its places (or its slot) are still free, and otherwise is refunded at once."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from tentative.bookings import actions as bookings
from tentative.bookings.models import Booking
from tentative.core.states import State
from tentative.outbox.models import OutboxMessage
from tentative.payments import actions
from tentative.payments.models import Payment, Refund
from tests.factories import book, book_slot, on_sale, service, staff, staff_member
from tests.payments.helpers import notification

pytestmark = pytest.mark.django_db


def pay_late(org, booking, amount="40.00", *, expire=True):  # type: ignore[no-untyped-def]
    """Open a card payment, let the option lapse (and be swept), then the capture arrives."""
    payment = actions.record_payment(
        booking.id, actor=staff(org), amount=Decimal(amount), method="card"
    )
    later = booking.deadline_enforced + timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        if expire:
            bookings.expire_lapsed(now=later)
        body, headers = notification(payment, "captured", event_id=f"evt_{payment.id}", at=later)
        actions.receive_notification("simulated", body, headers, now=later)
    payment.refresh_from_db()
    return payment, later


def test_a_late_payment_brings_the_option_back_when_the_places_are_free(org):
    date, ticket = on_sale(org, capacity=5)
    option = book(staff(org), date, ticket, quantity=2)
    payment, _ = pay_late(org, option)
    option.refresh_from_db()
    assert option.state == State.CONFIRMED and option.holds_capacity
    assert payment.refunded == 0 and Refund.objects.count() == 0


def test_a_lapsed_option_not_swept_yet_is_brought_back_the_same_way(org):
    date, ticket = on_sale(org, capacity=5)
    option = book(staff(org), date, ticket, quantity=2)
    pay_late(org, option, expire=False)
    assert Booking.objects.get(id=option.id).state == State.CONFIRMED


def test_a_late_payment_is_refunded_when_the_places_are_gone(org):
    date, ticket = on_sale(org, capacity=2)
    owner = staff(org)
    option = book(owner, date, ticket, quantity=2)
    payment = actions.record_payment(option.id, actor=owner, amount=Decimal("40"), method="card")
    later = option.deadline_enforced + timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        book(owner, date, ticket, quantity=2, mode=State.CONFIRMED, now=later)  # reclaims them
        body, headers = notification(payment, "captured", event_id="evt_late", at=later)
        actions.receive_notification("simulated", body, headers, now=later)
    payment.refresh_from_db()
    assert Booking.objects.get(id=option.id).state == State.EXPIRED
    assert (payment.state, payment.captured, payment.refunded) == (
        "captured",
        Decimal("40"),
        Decimal("40"),
    )
    refund = Refund.objects.get()
    assert refund.state == "done" and refund.reason == "late payment"
    assert OutboxMessage.objects.get(topic="refund.done").payload["late"] is True


def test_a_late_partial_payment_brings_it_back_as_an_option(org):
    date, ticket = on_sale(org, capacity=5)
    option = book(staff(org), date, ticket, quantity=2)
    _, later = pay_late(org, option, amount="10.00")
    option.refresh_from_db()
    assert option.state == State.OPTION and option.deadline_enforced > later


def test_a_late_payment_for_an_appointment_whose_slot_was_taken_is_refunded(org):
    alice = staff_member(org)
    haircut = service(org, alice, prices=(("Standard", "40.00"),))
    owner = staff(org)
    nine = (timezone.now() + timedelta(days=20)).replace(minute=0, second=0, microsecond=0)
    option = book_slot(owner, haircut, alice, nine)
    payment = actions.record_payment(option.id, actor=owner, amount=Decimal("40"), method="card")
    later = option.deadline_enforced + timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        book_slot(owner, haircut, alice, nine, mode=State.CONFIRMED, now=later)
        body, headers = notification(payment, "captured", event_id="evt_slot", at=later)
        actions.receive_notification("simulated", body, headers, now=later)
    assert Payment.objects.get(id=payment.id).refunded == Decimal("40")
    assert Booking.objects.get(id=option.id).state == State.EXPIRED
