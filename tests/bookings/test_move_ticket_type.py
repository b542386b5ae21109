"""Moving a ticket line to another ticket type of its event (and/or another date): the
places go through the inventory again (a full type or date refuses it and nothing
changes), the line takes the new type's price and the booking's total follows; the audit
entry reads as a sentence in the history."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tentative.audit.models import AuditEntry
from tentative.backoffice.history import history_sentences
from tentative.bookings import actions, errors
from tentative.bookings.actions import Destination
from tentative.bookings.models import Booking, BookingLine
from tentative.core.states import State
from tentative.inventory.capacity import reconcile
from tentative.inventory.models import CapacityPool, Hold
from tentative.outbox.models import OutboxMessage
from tentative.shared import errors as shared_errors
from tests.bookings.test_move_and_change_quantity import second_date, snapshot
from tests.factories import (
    EventDateFactory,
    OrganisationFactory,
    TicketTypeFactory,
    book,
    on_sale,
    staff,
)

pytestmark = pytest.mark.django_db


def reduced_type(date, *, quota: int | None = None, price: str = "12.50"):  # type: ignore[no-untyped-def]
    """A second ticket type of the date's event, with its own quota if given."""
    other = TicketTypeFactory(event=date.event, name="Tarif réduit", price=Decimal(price))
    if quota is not None:
        CapacityPool.objects.create(
            organisation=date.event.organisation,
            event_date=date,
            ticket_type=other,
            capacity=quota,
        )
    return other


def test_a_line_moves_to_another_ticket_type_at_its_price(org):
    date, full = on_sale(org, capacity=10, name="Tarif plein", price=Decimal("20.00"))
    reduced = reduced_type(date, quota=5)
    owner = staff(org)
    booking = book(owner, date, full, quantity=3, mode=State.CONFIRMED)
    assert booking.total == Decimal("60.00")
    actions.move_booking(
        booking.id, actor=owner, to=Destination(ticket_type_id=reduced.id), reason="student"
    )
    moved = Booking.objects.get(id=booking.id)
    line = BookingLine.objects.get(booking=booking)
    assert (line.ticket_type_id, line.unit_price, line.quantity) == (
        reduced.id,
        Decimal("12.50"),
        3,
    )
    assert moved.total == Decimal("37.50") and moved.state == State.CONFIRMED
    quota = CapacityPool.objects.get(ticket_type=reduced)
    general = CapacityPool.objects.get(event_date=date, ticket_type=None)
    assert (general.taken, quota.taken) == (3, 3)
    assert sorted(Hold.objects.filter(line=line).values_list("pool_id", flat=True)) == sorted(
        [general.id, quota.id]
    )
    entry = AuditEntry.objects.get(booking=booking, action="move")
    assert entry.data["from"][0]["ticket_type"] == full.id
    assert entry.data["to"][0]["ticket_type"] == reduced.id
    total = entry.data["total"]
    assert (Decimal(total["from"]), Decimal(total["to"])) == (Decimal(60), Decimal("37.5"))
    assert OutboxMessage.objects.filter(booking=booking, topic="booking.moved").count() == 1
    with translation.override("en"), timezone.override(org.zone):
        [sentence] = [
            s
            for s in history_sentences(
                AuditEntry.objects.filter(booking=booking, action="move"), currency="EUR"
            )
        ]
    assert "(Tarif plein) → " in sentence.text and "(Tarif réduit)" in sentence.text
    assert "total 60.00 EUR → 37.50 EUR" in sentence.text
    assert sentence.note == "student"


def test_a_full_ticket_type_refuses_the_move_and_nothing_changes(org):
    date, full = on_sale(org, capacity=10)
    reduced = reduced_type(date, quota=2)
    owner = staff(org)
    book(owner, date, reduced, quantity=1, mode=State.CONFIRMED)
    booking = book(owner, date, full, quantity=2)
    before = snapshot(booking.id)
    types_before = list(BookingLine.objects.values_list("id", "ticket_type_id", "unit_price"))
    with pytest.raises(errors.SoldOut):
        actions.move_booking(booking.id, actor=owner, to=Destination(ticket_type_id=reduced.id))
    assert snapshot(booking.id) == before
    assert list(BookingLine.objects.values_list("id", "ticket_type_id", "unit_price")) == (
        types_before
    )
    assert not AuditEntry.objects.filter(booking=booking, action="move").exists()
    assert reconcile() == []


def test_another_date_and_type_at_once_and_a_full_date_refuses(org):
    date, full = on_sale(org, capacity=10)
    reduced = reduced_type(date)
    later = second_date(org, date, 2)
    owner = staff(org)
    booking = book(owner, date, full, quantity=2)
    actions.move_booking(
        booking.id, actor=owner, to=Destination(event_date_id=later.id, ticket_type_id=reduced.id)
    )
    line = BookingLine.objects.get(booking=booking)
    assert (line.event_date_id, line.ticket_type_id, line.starts_at) == (
        later.id,
        reduced.id,
        later.starts_at,
    )
    assert CapacityPool.objects.get(event_date=later).taken == 2
    assert CapacityPool.objects.get(event_date=date).taken == 0
    # Back to the first type on the now full later date: only the type changes, it fits.
    actions.move_booking(booking.id, actor=owner, to=Destination(ticket_type_id=full.id))
    assert Booking.objects.get(id=booking.id).total == 2 * full.price
    other = book(owner, date, full, quantity=1)
    before = snapshot(other.id)
    with pytest.raises(errors.SoldOut):
        actions.move_booking(
            other.id, actor=owner, to=Destination(event_date_id=later.id, ticket_type_id=reduced.id)
        )
    assert snapshot(other.id) == before


def test_a_booking_of_two_lines_names_the_line_that_changes(org):
    date, full = on_sale(org, capacity=10, price=Decimal("20.00"))
    reduced = reduced_type(date, price="10.00")
    child = TicketTypeFactory(event=date.event, name="Enfant", price=Decimal("5.00"))
    owner = staff(org)
    booking = actions.create_booking(
        actor=owner,
        organisation_id=org.id,
        mode=State.OPTION,
        lines=[
            actions.LineRequest(date.id, full.id, 2),
            actions.LineRequest(date.id, child.id, 1),
        ],
    )
    first, second = BookingLine.objects.filter(booking=booking).order_by("id")
    with pytest.raises(shared_errors.InvalidInput, match="which line"):
        actions.move_booking(booking.id, actor=owner, to=Destination(ticket_type_id=reduced.id))
    with pytest.raises(shared_errors.NotFound):
        actions.move_booking(
            booking.id, actor=owner, to=Destination(ticket_type_id=reduced.id, line_id=-1)
        )
    # The child line cannot become an adult line the booking already has: one line per type.
    with pytest.raises(shared_errors.InvalidInput):
        actions.move_booking(
            booking.id, actor=owner, to=Destination(ticket_type_id=full.id, line_id=second.id)
        )
    actions.move_booking(
        booking.id, actor=owner, to=Destination(ticket_type_id=reduced.id, line_id=first.id)
    )
    lines = list(BookingLine.objects.filter(booking=booking).order_by("id"))
    assert [(ln.ticket_type_id, ln.unit_price) for ln in lines] == [
        (reduced.id, Decimal("10.00")),
        (child.id, Decimal("5.00")),
    ]
    assert Booking.objects.get(id=booking.id).total == Decimal("25.00")
    assert CapacityPool.objects.get(event_date=date).taken == 3


def test_a_type_of_another_event_or_organisation_is_not_found(org):
    date, full = on_sale(org)
    _elsewhere, stranger = on_sale(org)
    _theirs, foreign = on_sale(OrganisationFactory())
    owner = staff(org)
    booking = book(owner, date, full)
    before = snapshot(booking.id)
    for ticket_type in (stranger, foreign):
        with pytest.raises(shared_errors.NotFound):
            actions.move_booking(
                booking.id, actor=owner, to=Destination(ticket_type_id=ticket_type.id)
            )
    with pytest.raises(shared_errors.InvalidInput):  # already that type
        actions.move_booking(booking.id, actor=owner, to=Destination(ticket_type_id=full.id))
    assert snapshot(booking.id) == before


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    capacities=st.tuples(st.integers(1, 6), st.integers(1, 6), st.integers(1, 4)),
    steps=st.lists(
        st.tuples(
            st.integers(0, 3),  # which booking
            st.sampled_from(["type", "date", "both"]),
            st.integers(0, 1),  # which type
            st.integers(0, 1),  # which date
        ),
        min_size=1,
        max_size=12,
    ),
)
def test_any_sequence_of_moves_keeps_the_pools_exact(org, capacities, steps):
    """Whatever moves are asked, each is done or refused (sold out, already there) and
    `taken` of every pool stays what the holding bookings' holds say: zero drift."""
    starts = timezone.now() + timedelta(days=20)
    first, _type = on_sale(org, capacity=capacities[0], starts_at=starts)
    event = first.event
    dates = [first]
    dates.append(EventDateFactory(event=event, starts_at=starts + timedelta(days=1)))
    CapacityPool.objects.create(organisation=org, event_date=dates[1], capacity=capacities[1])
    types = [
        TicketTypeFactory(event=event, price=Decimal("20.00")),
        TicketTypeFactory(event=event, price=Decimal("8.00")),
    ]
    CapacityPool.objects.create(
        organisation=org, event_date=dates[0], ticket_type=types[1], capacity=capacities[2]
    )
    owner = staff(org)
    bookings = []
    for i in range(4):
        with contextlib.suppress(errors.SoldOut):
            bookings.append(
                book(owner, dates[i % 2], types[0], quantity=1, mode=State.CONFIRMED).id
            )
    for which, kind, type_index, date_index in steps:
        if not bookings:
            break
        booking_id = bookings[which % len(bookings)]
        to = Destination(
            ticket_type_id=types[type_index].id if kind in ("type", "both") else None,
            event_date_id=dates[date_index].id if kind in ("date", "both") else None,
        )
        with contextlib.suppress(errors.SoldOut, shared_errors.InvalidInput):
            actions.move_booking(booking_id, actor=owner, to=to)
        assert reconcile() == []
        for pool in CapacityPool.objects.all():
            assert 0 <= pool.taken <= pool.capacity
        for booking in Booking.objects.filter(id__in=bookings):
            line = booking.lines.get()
            assert line.unit_price == line.ticket_type.price
            assert booking.total == line.unit_price * line.quantity
