"""Charge after approval, the money's half (issue 10 item 4): the card authorised at request,
captured once staff approve, voided when they refuse; a lapsed authorisation or an offer
charged after approval gets one payment request; the "decide within" countdown.
The worker pass is `payments.actions.collect_after_approval`."""

import importlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from tentative.audit.models import AuditEntry
from tentative.bookings import actions as bookings
from tentative.bookings.models import Booking
from tentative.core.states import State
from tentative.notifications.fanout import fan_out
from tentative.notifications.sweeps import sweep
from tentative.outbox.models import OutboxMessage
from tentative.payments import actions, errors, selectors
from tentative.payments.jobs import deliver_simulated
from tentative.payments.models import AfterApproval, PaymentRequest, ProviderEvent
from tentative.payments.providers import simulated
from tentative.payments.providers.simulated import Choice
from tests.factories import CustomerFactory, book, on_sale, staff

# The module, not the function of the same name that the package exports.
collecting = importlib.import_module("tentative.payments.actions.collect_after_approval")
pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)  # 10:00 in Paris, no daylight-saving change near


@pytest.fixture(autouse=True)
def frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def request_for(org, *, charge="authorise", decision_days=3, price="20.00"):  # type: ignore[no-untyped-def]
    date, ticket = on_sale(
        org,
        capacity=10,
        requires_approval=True,
        approval_charge=charge,
        decision_days=decision_days,
        price=Decimal(price),
    )
    customer = CustomerFactory(organisation=org, email="ana@example.org", language="fr")
    return book(  # 40.00 EUR
        staff(org), date, ticket, mode=State.REQUEST, quantity=2, customer_id=customer.id
    )


def authorise(request, *, now=T0):  # type: ignore[no-untyped-def]
    owner = staff(Booking.objects.get(id=request.id).organisation)
    payment = actions.authorise_request(request.id, actor=owner, now=now)
    note = simulated.checkout(payment, Choice.SUCCESS, now=now)
    actions.apply_notification("simulated", note, now=now)  # type: ignore[arg-type]
    payment.refresh_from_db()
    return payment


def ledger(booking) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    """Everything a pass may write for a booking, counted."""
    return (
        ProviderEvent.objects.filter(payment__booking=booking).count(),
        AuditEntry.objects.filter(booking=booking).count(),
        OutboxMessage.objects.filter(booking=booking).count(),
        PaymentRequest.objects.filter(booking=booking).count(),
        AfterApproval.objects.filter(booking=booking).count(),
    )


def fresh(row):  # type: ignore[no-untyped-def]
    return type(row).objects.get(id=row.id)


def test_approved_the_authorisation_is_captured_once_and_the_booking_confirmed(org, frozen):
    request = request_for(org)
    payment = authorise(request)
    assert (payment.state, payment.capture_later) == ("authorised", True)
    assert collect_after_approval_pass() == 0  # undecided: nothing to do
    approved = bookings.approve_booking(request.id, actor=staff(org))
    assert approved.state == State.OPTION
    frozen.shift(timedelta(seconds=30))
    assert collect_after_approval_pass() == 1
    payment = fresh(payment)
    assert (payment.state, payment.captured) == ("captured", Decimal("40.000"))
    assert fresh(request).state == State.CONFIRMED
    before = ledger(request)
    assert collect_after_approval_pass() == 0  # a second pass changes nothing
    deliver_simulated(now=timezone.now() + timedelta(minutes=5))  # the processor's own copies
    assert collect_after_approval_pass() == 0
    assert ledger(request)[1:] == before[1:]
    assert ProviderEvent.objects.filter(payment=payment, kind="captured").count() == 1
    assert AuditEntry.objects.filter(booking=request, action="confirm").count() == 1
    assert AfterApproval.objects.get(booking=request).outcome == "captured"


def test_declined_the_authorisation_is_voided_and_never_captured(org):
    request = request_for(org)
    payment = authorise(request)
    bookings.decline_booking(request.id, actor=staff(org), reason="18+ only")
    assert collect_after_approval_pass() == 1
    payment = fresh(payment)
    assert (payment.state, payment.captured) == ("cancelled", Decimal(0))
    assert simulated.retrieve(payment, now=timezone.now()).state == "cancelled"  # type: ignore[union-attr]
    before = ledger(request)
    assert collect_after_approval_pass() == 0
    assert ledger(request) == before
    assert not ProviderEvent.objects.filter(payment=payment, kind="captured").exists()
    assert not PaymentRequest.objects.filter(booking=request).exists()  # and not asked again


def test_a_request_nobody_decided_lapses_and_its_authorisation_is_voided(org, frozen):
    request = request_for(org, decision_days=3)
    payment = authorise(request)
    frozen.move_to(T0 + timedelta(days=3, minutes=1))
    sweep(timezone.now())
    assert fresh(request).state == State.EXPIRED
    assert collect_after_approval_pass() == 1
    assert fresh(payment).state == "cancelled"


def test_lapsed_before_acceptance_accepting_sends_one_payment_request(org, frozen, settings):
    request = request_for(org, decision_days=5)
    settings.SIMULATED_AUTHORISATION_DAYS = 2  # the processor's window shrank since
    payment = authorise(request)
    assert payment.authorised_until == T0 + timedelta(days=2)
    assert selectors.decide_by(fresh(request)) == T0 + timedelta(days=2)
    frozen.move_to(T0 + timedelta(days=3))
    approved = bookings.approve_booking(request.id, actor=staff(org))
    assert approved.state == State.OPTION
    assert collect_after_approval_pass() == 2  # the capture finds it lapsed, then the request
    assert fresh(payment).state == "expired"
    sent = PaymentRequest.objects.get(booking=request)
    assert (sent.amount, sent.expires_at) == (Decimal("40.000"), fresh(request).deadline_shown)
    assert collect_after_approval_pass() == 0
    assert PaymentRequest.objects.filter(booking=request).count() == 1
    fan_out(now=timezone.now())
    email = OutboxMessage.objects.get(booking=request, kind="email", topic="payment.requested")
    assert email.payload["to"] == ["ana@example.org"]
    assert "/pay/" in email.payload["text"] and "40,00" in email.payload["text"]  # in French
    assert not ProviderEvent.objects.filter(payment=payment, kind="captured").exists()


def test_charged_after_approval_the_option_gets_one_payment_request_with_its_deadline(org):
    request = request_for(org, charge="after_approval", decision_days=None)
    assert collect_after_approval_pass() == 0
    option = bookings.approve_booking(request.id, actor=staff(org))
    assert option.state == State.OPTION and option.deadline_shown == T0 + timedelta(days=5)
    assert collect_after_approval_pass() == 1
    sent = PaymentRequest.objects.get(booking=request)
    assert sent.expires_at == option.deadline_shown and sent.sent_count == 1
    assert OutboxMessage.objects.filter(booking=request, topic="payment.requested").count() == 1
    before = ledger(request)
    assert collect_after_approval_pass() == 0
    assert ledger(request) == before
    # Paid through the link, the option is confirmed.
    payment = actions.pay_request(sent.token)
    note = simulated.checkout(payment, Choice.SUCCESS, now=timezone.now())
    actions.apply_notification("simulated", note, now=timezone.now())  # type: ignore[arg-type]
    assert fresh(request).state == State.CONFIRMED


def test_a_staff_request_already_open_is_not_doubled(org):
    request = request_for(org, charge="after_approval", decision_days=None)
    bookings.approve_booking(request.id, actor=staff(org))
    actions.create_payment_request(request.id, actor=staff(org))
    assert collect_after_approval_pass() == 0
    assert PaymentRequest.objects.filter(booking=request).count() == 1


def test_an_option_staff_made_themselves_is_not_sent_a_request(org):
    date, ticket = on_sale(org, requires_approval=True, approval_charge="after_approval")
    option = book(staff(org), date, ticket, mode=State.OPTION)
    assert option.state == State.OPTION
    assert collect_after_approval_pass() == 0
    assert not PaymentRequest.objects.filter(booking=option).exists()


def test_cancelled_while_the_capture_is_in_flight_the_money_goes_back_at_once(org, monkeypatch):
    request = request_for(org)
    payment = authorise(request)
    bookings.approve_booking(request.id, actor=staff(org))
    real = collecting.deliver_capture

    def cancelled_meanwhile(payment, amount, *, now):  # type: ignore[no-untyped-def]
        bookings.cancel_booking(request.id, actor=staff(org), reason="changed plans")
        return real(payment, amount, now=now)

    monkeypatch.setattr(collecting, "deliver_capture", cancelled_meanwhile)
    assert collect_after_approval_pass() == 1
    payment = fresh(payment)
    assert (payment.state, payment.captured, payment.refunded) == (
        "captured",
        Decimal("40.000"),
        Decimal("40.000"),
    )
    assert fresh(request).state == State.CANCELLED
    assert OutboxMessage.objects.filter(booking=request, topic="refund.done").count() == 1


def test_paid_at_the_desk_before_the_pass_the_authorisation_is_released(org):
    request = request_for(org)
    payment = authorise(request)
    owner = staff(org)
    bookings.approve_booking(request.id, actor=owner)
    actions.record_payment(request.id, actor=owner, amount=Decimal("40"))
    assert fresh(request).state == State.CONFIRMED
    assert collect_after_approval_pass() == 1
    assert fresh(payment).state == "cancelled"
    assert AfterApproval.objects.get(payment=payment).outcome == "nothing due"


def test_a_worker_that_died_mid_capture_is_relieved_when_its_lease_ends(org, frozen):
    request = request_for(org)
    payment = authorise(request)
    bookings.approve_booking(request.id, actor=staff(org))
    claim = collecting._claim(payment, AfterApproval.Step.CAPTURE, collecting.APPROVED, T0)
    assert claim is not None  # ...and the worker died before calling the processor
    assert collect_after_approval_pass() == 0  # its lease still runs
    frozen.shift(collecting.LEASE + timedelta(seconds=1))
    assert collect_after_approval_pass() == 1
    assert fresh(payment).state == "captured"
    assert AfterApproval.objects.get(id=claim).attempts == 2


def test_a_processor_failing_mid_call_is_tried_again_after_the_lease(org, frozen, monkeypatch):
    request = request_for(org)
    payment = authorise(request)
    bookings.approve_booking(request.id, actor=staff(org))

    def down(payment, amount, *, now):  # type: ignore[no-untyped-def]
        raise ConnectionError("processor unreachable")

    monkeypatch.setattr(collecting, "deliver_capture", down)
    assert collect_after_approval_pass() == 0  # logged; the other steps still run
    assert fresh(payment).state == "authorised"
    monkeypatch.undo()
    assert collect_after_approval_pass() == 0  # the lease of the failed call still runs
    frozen.shift(collecting.LEASE + timedelta(seconds=1))
    assert collect_after_approval_pass() == 1
    assert fresh(payment).state == "captured" and fresh(request).state == State.CONFIRMED


def test_authorising_is_only_for_a_request_of_an_authorise_offer_and_only_once(org):
    request = request_for(org, charge="after_approval", decision_days=None)
    with pytest.raises(errors.NotAuthorisable):
        actions.authorise_request(request.id, actor=staff(org))
    request = request_for(org)
    authorise(request)
    with pytest.raises(errors.AlreadyAuthorised):
        actions.authorise_request(request.id, actor=staff(org))
    bookings.decline_booking(request.id, actor=staff(org))
    with pytest.raises(errors.NotAuthorisable):
        actions.authorise_request(request.id, actor=staff(org))


def test_decide_within_is_the_earlier_of_the_request_deadline_and_the_authorisation(org, settings):
    request = request_for(org, decision_days=3)
    assert selectors.decide_by(fresh(request)) == T0 + timedelta(days=3)  # nothing authorised
    authorise(request)  # 7 days: the request's own deadline comes first
    assert selectors.decide_by(fresh(request)) == T0 + timedelta(days=3)
    settings.SIMULATED_AUTHORISATION_DAYS = 1
    other = request_for(org, decision_days=3)
    authorise(other)
    assert selectors.decide_by(fresh(other)) == T0 + timedelta(days=1)
    listed = {
        b.id: selectors.decide_by(b)
        for b in selectors.with_decide_by(Booking.objects.filter(id__in=[request.id, other.id]))
    }
    assert listed == {request.id: T0 + timedelta(days=3), other.id: T0 + timedelta(days=1)}
    bookings.approve_booking(other.id, actor=staff(org))
    assert selectors.decide_by(fresh(other)) is None  # decided: no countdown


def collect_after_approval_pass() -> int:
    return actions.collect_after_approval(now=timezone.now())
