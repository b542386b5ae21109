"""Checking a ticket in at the door: valid once, then already used (with the first time);
not valid (unknown, ended, another date); not paid; a repeated scan (nonce) counts once."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine

from tentative.audit.models import AuditEntry
from tentative.bookings import actions as booking_actions
from tentative.checkin.actions import check_in
from tentative.checkin.errors import NonceReused
from tentative.checkin.models import CheckIn, Outcome, Scan
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.notifications.tickets import parse_code, ticket_codes
from tentative.outbox.models import OutboxMessage
from tentative.payments import actions as payment_actions
from tentative.shared.actor import Actor
from tentative.shared.errors import Forbidden, InvalidInput
from tests.factories import CustomerFactory, OrganisationFactory, book, on_sale, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def sold(org):  # type: ignore[no-untyped-def]
    """A confirmed booking of two places, paid in full."""
    date, ticket = on_sale(org, capacity=10, price=Decimal("20"))
    owner = staff(org)
    booking = book(owner, date, ticket, quantity=2, mode=State.CONFIRMED)
    payment_actions.record_payment(booking.id, actor=owner, amount=Decimal("40"), method="cash")
    return booking


def codes(booking):  # type: ignore[no-untyped-def]
    return [t.code for t in ticket_codes(booking, list(booking.lines.all()))]


def test_the_code_read_back_is_the_code_written(sold):
    code = codes(sold)[1]
    parsed = parse_code(f"  {code.lower()} ")
    assert parsed is not None
    assert (parsed.reference, parsed.number) == (sold.reference, 2)
    assert parse_code("ABC") is None and parse_code("=cmd|x") is None


def test_valid_once_then_already_used_with_the_time_of_first_use(org, sold):
    door = staff(org, Role.AGENT)
    code = codes(sold)[0]
    first_time = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)
    with time_machine.travel(first_time, tick=False):
        first = check_in(actor=door, code=code, nonce="scan-1")
    second = check_in(actor=door, code=code, nonce="scan-2")
    assert first.outcome == Outcome.VALID and first.booking.id == sold.id
    assert second.outcome == Outcome.ALREADY_USED
    assert second.first_used_at == first_time
    # The other place of the same booking is its own ticket.
    assert check_in(actor=door, code=codes(sold)[1], nonce="scan-3").outcome == Outcome.VALID
    assert CheckIn.objects.filter(booking=sold).count() == 2
    assert AuditEntry.objects.filter(booking=sold, action="check_in").count() == 2
    assert OutboxMessage.objects.filter(booking=sold, topic="ticket.checked_in").count() == 2


def test_the_same_scan_uploaded_again_counts_once(org, sold):
    door = staff(org)
    code = codes(sold)[0]
    first = check_in(actor=door, code=code, nonce="device-7:0001")
    again = check_in(actor=door, code=code, nonce="device-7:0001")
    assert first.outcome == again.outcome == Outcome.VALID
    assert again.repeated and not first.repeated
    assert Scan.objects.count() == 1 and CheckIn.objects.count() == 1
    with pytest.raises(NonceReused):
        check_in(actor=door, code=codes(sold)[1], nonce="device-7:0001")


@pytest.mark.parametrize(
    "code", ["", "hello", "=HYPERLINK(1)", "AAAAAAAA-1-1", "<script>x</script>", "A" * 500]
)
def test_anything_else_is_not_valid(org, sold, code):
    result = check_in(actor=staff(org), code=code, nonce=f"n-{len(code)}-{code[:3]}")
    assert result.outcome == Outcome.NOT_VALID and result.reason == "unknown"
    assert CheckIn.objects.count() == 0


def test_a_place_beyond_the_line_or_another_organisation_s_ticket_is_not_valid(org, sold):
    reference, line_id = sold.reference, sold.lines.all()[0].id
    door = staff(org)
    assert check_in(actor=door, code=f"{reference}-{line_id}-3", nonce="a").outcome == "not_valid"
    assert check_in(actor=door, code=f"{reference}-{line_id}-0", nonce="b").outcome == "not_valid"
    stranger = staff(OrganisationFactory())
    result = check_in(actor=stranger, code=codes(sold)[0], nonce="c")
    assert result.outcome == Outcome.NOT_VALID and result.booking is None
    assert CheckIn.objects.count() == 0


def test_a_cancelled_booking_s_ticket_is_not_valid(org, sold):
    booking_actions.cancel_booking(sold.id, actor=staff(org), reason="asked")
    result = check_in(actor=staff(org), code=codes(sold)[0], nonce="x")
    assert (result.outcome, result.reason) == (Outcome.NOT_VALID, "ended")


def test_an_unpaid_or_optional_booking_is_not_paid(org):
    date, ticket = on_sale(org, capacity=10, price=Decimal("20"))
    owner = staff(org)
    unpaid = book(owner, date, ticket, quantity=1, mode=State.CONFIRMED)
    option = book(owner, date, ticket, quantity=1, mode=State.OPTION)
    assert check_in(actor=owner, code=codes(unpaid)[0], nonce="1").outcome == Outcome.NOT_PAID
    assert check_in(actor=owner, code=codes(option)[0], nonce="2").outcome == Outcome.NOT_PAID
    free_date, free = on_sale(org, capacity=10, price=Decimal("0"))
    gift = book(owner, free_date, free, quantity=1, mode=State.CONFIRMED)
    assert check_in(actor=owner, code=codes(gift)[0], nonce="3").outcome == Outcome.VALID


def test_a_ticket_for_another_date_is_not_valid_at_this_date_s_door(org, sold):
    other_date, _ = on_sale(org)
    result = check_in(actor=staff(org), code=codes(sold)[0], nonce="x", event_date_id=other_date.id)
    assert (result.outcome, result.reason) == (Outcome.NOT_VALID, "other_date")
    line = sold.lines.all()[0]
    ok = check_in(
        actor=staff(org), code=codes(sold)[0], nonce="y", event_date_id=line.event_date_id
    )
    assert ok.outcome == Outcome.VALID


def test_customers_may_not_check_in_and_a_bad_nonce_is_refused(org, sold):
    customer = CustomerFactory(organisation=org)
    with pytest.raises(Forbidden):
        check_in(actor=Actor.customer(customer), code=codes(sold)[0], nonce="x")
    for nonce in ("", "x" * 65, "tab\there"):
        with pytest.raises(InvalidInput):
            check_in(actor=staff(org), code=codes(sold)[0], nonce=nonce)
    assert Scan.objects.count() == 0
