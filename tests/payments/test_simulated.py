"""The simulated card processor: its decisions, its notifications delivered by the worker
late, twice or out of order, the return page's answer, and authorisations that lapse."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tentative.bookings.models import Booking
from tentative.core.states import State
from tentative.outbox.models import OutboxMessage
from tentative.payments import actions
from tentative.payments.jobs import deliver_simulated
from tentative.payments.models import Payment, ProviderEvent, SimulatedDelivery
from tentative.payments.providers import (
    PROVIDERS,
    AuthorisationLapsed,
    NotSupported,
    simulated,
)
from tentative.payments.providers.simulated import Choice, Delivery
from tentative.payments.selectors import balance
from tentative.shared.actor import Actor
from tests.factories import book, on_sale, staff

pytestmark = pytest.mark.django_db
CARD = PROVIDERS["simulated"]


@pytest.fixture
def option(org):
    date, ticket = on_sale(org, capacity=10)  # 20.00 EUR each
    return book(staff(org), date, ticket, quantity=2, mode=State.OPTION)


def open_card(option, *, capture_later=False, amount="40"):  # type: ignore[no-untyped-def]
    return actions.start_payment(
        option.id, actor=Actor.system("test"), amount=Decimal(amount), capture_later=capture_later
    )


def state(payment: Payment) -> str:
    return Payment.objects.get(id=payment.id).state


def test_the_worker_posts_authorised_then_captured_and_the_option_is_confirmed(option):
    payment, now = open_card(option), timezone.now()
    simulated.checkout(payment, Choice.SUCCESS, now=now)
    assert list(SimulatedDelivery.objects.order_by("due_at").values_list("state", flat=True)) == [
        "authorised",
        "captured",
    ]
    assert deliver_simulated(now=now) == 2
    assert state(payment) == "captured"
    assert Booking.objects.get(id=option.id).state == State.CONFIRMED
    assert set(SimulatedDelivery.objects.values_list("outcome", flat=True)) == {"applied"}


def test_a_late_notification_waits_for_its_time(option):
    payment, now = open_card(option), timezone.now()
    simulated.checkout(payment, Choice.SUCCESS, delivery=Delivery(late_minutes=10), now=now)
    assert deliver_simulated(now=now + timedelta(minutes=9)) == 0
    assert state(payment) == "created"
    # Signed when posted, so a late one is not "too old".
    assert deliver_simulated(now=now + timedelta(minutes=10, seconds=5)) == 2
    assert state(payment) == "captured"


def test_a_notification_posted_twice_counts_once(option):
    payment, now = open_card(option), timezone.now()
    simulated.checkout(payment, Choice.SUCCESS, delivery=Delivery(twice=True), now=now)
    assert deliver_simulated(now=now + timedelta(seconds=5)) == 4
    outcomes = sorted(SimulatedDelivery.objects.values_list("outcome", flat=True))
    assert outcomes == ["applied", "applied", "duplicate", "duplicate"]
    assert balance(Booking.objects.get(id=option.id)).captured.amount == Decimal("40")
    assert OutboxMessage.objects.filter(topic="payment.captured").count() == 1


def test_authorised_after_captured_changes_nothing(option):
    payment, now = open_card(option), timezone.now()
    simulated.checkout(payment, Choice.SUCCESS, delivery=Delivery(out_of_order=True), now=now)
    deliver_simulated(now=now + timedelta(seconds=5))
    rows = SimulatedDelivery.objects.order_by("due_at")
    assert [(d.state, d.outcome) for d in rows] == [
        ("captured", "applied"),
        ("authorised", "stale"),
    ]
    assert state(payment) == "captured"


def test_the_return_page_and_the_notification_both_first_count_once(option):
    payment, now = open_card(option), timezone.now()
    answer = simulated.checkout(payment, Choice.SUCCESS, now=now)
    assert answer is not None
    # The redirect first: the return page asks the processor and applies its answer...
    returned = simulated.retrieve(payment, now=now)
    assert returned is not None and returned.event_id != answer.event_id
    assert actions.apply_notification("simulated", returned, now=now) == actions.Outcome.APPLIED
    # ...then the worker posts the notifications: nothing counted twice.
    deliver_simulated(now=now)
    assert actions.apply_notification("simulated", returned, now=now) == actions.Outcome.DUPLICATE
    booking = Booking.objects.get(id=option.id)
    assert balance(booking).captured.amount == Decimal("40")
    assert OutboxMessage.objects.filter(topic="payment.captured").count() == 1
    assert OutboxMessage.objects.filter(topic="booking.confirmed").count() == 1


def test_the_notification_first_then_the_return_page(option):
    payment, now = open_card(option), timezone.now()
    simulated.checkout(payment, Choice.SUCCESS, now=now)
    deliver_simulated(now=now)
    returned = simulated.retrieve(payment, now=now)
    assert actions.apply_notification("simulated", returned, now=now) == actions.Outcome.STALE  # type: ignore[arg-type]
    assert OutboxMessage.objects.filter(topic="payment.captured").count() == 1


def test_declined_fails_and_pending_is_decided_later(option):
    declined, now = open_card(option), timezone.now()
    simulated.checkout(declined, Choice.DECLINE, now=now)
    pending = open_card(option)
    simulated.checkout(pending, Choice.PENDING, now=now)
    deliver_simulated(now=now)
    assert (state(declined), state(pending)) == ("failed", "pending")
    assert simulated.retrieve(pending, now=now).state == "pending"  # type: ignore[union-attr]
    # A second submit of the hosted page changes nothing.
    simulated.checkout(pending, Choice.DECLINE, now=now)
    assert simulated.retrieve(pending, now=now).state == "pending"  # type: ignore[union-attr]
    simulated.decide(pending, Choice.SUCCESS, now=now + timedelta(hours=1))
    deliver_simulated(now=now + timedelta(hours=1))
    assert state(pending) == "captured"
    assert Booking.objects.get(id=option.id).state == State.CONFIRMED


def test_capture_later_authorises_then_captures_on_demand(option, settings):
    settings.SIMULATED_AUTHORISATION_DAYS = 5
    payment, now = open_card(option, capture_later=True), timezone.now()
    note = simulated.checkout(payment, Choice.SUCCESS, now=now)
    assert note is not None and note.state == "authorised"
    actions.apply_notification("simulated", note, now=now)
    payment.refresh_from_db()
    assert payment.state == "authorised"
    assert payment.authorised_until == now + timedelta(days=5)
    assert Booking.objects.get(id=option.id).state == State.OPTION  # nothing taken yet
    later = now + timedelta(days=4)
    captured = CARD.capture(payment, Decimal("40"), now=later)
    assert captured.state == "captured" and captured.captured == Decimal("40")
    assert actions.apply_notification("simulated", captured, now=later) == actions.Outcome.APPLIED
    deliver_simulated(now=later)  # the processor's own "captured" notification: the same event
    assert ProviderEvent.objects.filter(payment=payment, kind="captured").count() == 1
    assert Booking.objects.get(id=option.id).state == State.CONFIRMED


def test_an_authorisation_lapses_and_capture_raises(option):
    payment, now = open_card(option, capture_later=True), timezone.now()
    actions.apply_notification(
        "simulated",
        simulated.checkout(payment, Choice.SUCCESS, now=now),
        now=now,  # type: ignore[arg-type]
    )
    payment.refresh_from_db()
    assert payment.authorised_until is not None
    with pytest.raises(AuthorisationLapsed):
        CARD.capture(payment, Decimal("40"), now=payment.authorised_until)
    assert simulated.retrieve(payment, now=payment.authorised_until).state == "expired"  # type: ignore[union-attr]
    # Just before the end it still captures (another payment, same rule).
    other = open_card(option, capture_later=True)
    simulated.checkout(other, Choice.SUCCESS, now=now)
    until = now + timedelta(days=simulated.authorisation_days())
    assert CARD.capture(other, Decimal("40"), now=until - timedelta(seconds=1)).state == "captured"


def test_void_releases_an_authorisation(option):
    payment, now = open_card(option, capture_later=True), timezone.now()
    simulated.checkout(payment, Choice.SUCCESS, now=now)
    note = CARD.void(payment, now=now)
    assert note.state == "cancelled"
    actions.apply_notification("simulated", note, now=now)
    assert state(payment) == "cancelled"
    with pytest.raises(NotSupported):
        CARD.capture(payment, Decimal("40"), now=now)
    assert balance(Booking.objects.get(id=option.id)).captured.amount == 0


def test_an_immediate_payment_cannot_be_captured_or_voided_again(option):
    payment, now = open_card(option), timezone.now()
    simulated.checkout(payment, Choice.SUCCESS, now=now)
    with pytest.raises(NotSupported):
        CARD.capture(payment, Decimal("40"), now=now)
    with pytest.raises(NotSupported):
        CARD.void(payment, now=now)


def test_offline_has_nothing_to_capture_or_void(org, option):
    payment = actions.record_payment(option.id, actor=staff(org), amount=Decimal("10"))
    offline = PROVIDERS["offline"]
    assert not offline.capabilities.capture_later
    with pytest.raises(NotSupported):
        offline.capture(payment, Decimal("10"), now=timezone.now())
    with pytest.raises(NotSupported):
        offline.void(payment, now=timezone.now())
    with pytest.raises(NotSupported):
        actions.start_payment(
            option.id, actor=staff(org), amount=Decimal("5"), capture_later=True, provider="offline"
        )


def test_a_hosted_page_older_than_24_hours_expires_the_payment(option):
    payment = open_card(option)
    later = payment.created_at + simulated.SESSION
    note = simulated.checkout(payment, Choice.SUCCESS, now=later)
    assert note is not None and note.state == "expired"
    actions.apply_notification("simulated", note, now=later)
    assert state(payment) == "expired"
    assert Booking.objects.get(id=option.id).state == State.OPTION
