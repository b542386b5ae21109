"""Moving a booking and changing its quantity: all or nothing, never a double booking."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tentative.audit.models import AuditEntry
from tentative.bookings import actions, errors
from tentative.bookings.actions import Destination
from tentative.bookings.models import Booking, BookingLine
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.inventory.models import CapacityPool, Hold, TimeClaim
from tentative.outbox.models import OutboxMessage
from tentative.shared import errors as shared_errors
from tests.factories import (
    EventDateFactory,
    book,
    book_slot,
    on_sale,
    room,
    service,
    session,
    staff,
    staff_member,
)

pytestmark = pytest.mark.django_db

NINE = (timezone.now() + timedelta(days=10)).replace(hour=9, minute=0, second=0, microsecond=0)


def taken(date) -> int:
    return CapacityPool.objects.get(event_date=date, ticket_type=None).taken


def second_date(org, date, capacity):
    other = EventDateFactory(event=date.event, starts_at=date.starts_at + timedelta(days=7))
    CapacityPool.objects.create(organisation=org, event_date=other, capacity=capacity)
    return other


def snapshot(booking_id: int) -> tuple:
    """Everything a failed move must leave as it was."""
    booking = Booking.objects.get(id=booking_id)
    return (
        booking.state,
        booking.holds_capacity,
        booking.total,
        booking.deadline_enforced,
        list(
            BookingLine.objects.filter(booking_id=booking.id).values_list(
                "event_date_id", "resource_id", "starts_at", "quantity"
            )
        ),
        list(Hold.objects.filter(line__booking=booking).values_list("pool_id", "quantity")),
        list(TimeClaim.objects.filter(line__booking=booking).values_list("resource_id", "active")),
        sorted(CapacityPool.objects.values_list("id", "taken")),
    )


def test_moving_tickets_to_another_date_moves_the_places(org):
    date, ticket = on_sale(org, capacity=10)
    other = second_date(org, date, 10)
    owner = staff(org)
    booking = book(owner, date, ticket, quantity=3, mode=State.CONFIRMED)
    actions.move_booking(booking.id, actor=owner, to=Destination(event_date_id=other.id))
    assert (taken(date), taken(other)) == (0, 3)
    line = BookingLine.objects.get(booking_id=booking.id)
    assert (line.event_date_id, line.starts_at) == (other.id, other.starts_at)
    entry = AuditEntry.objects.get(booking=booking, action="move")
    assert entry.data["from"][0]["event_date"] == date.id
    assert entry.data["to"][0]["event_date"] == other.id
    assert OutboxMessage.objects.filter(booking=booking, topic="booking.moved").count() == 1


def test_a_move_to_a_full_date_changes_nothing(org):
    date, ticket = on_sale(org, capacity=10)
    other = second_date(org, date, 2)
    owner = staff(org)
    booking = book(owner, date, ticket, quantity=3)
    before = snapshot(booking.id)
    with pytest.raises(errors.SoldOut):
        actions.move_booking(booking.id, actor=owner, to=Destination(event_date_id=other.id))
    assert snapshot(booking.id) == before


def test_rescheduling_an_appointment_to_another_staff_member_and_time(org):
    alice, bob = staff_member(org, "Alice"), staff_member(org, "Bob")
    haircut = service(org, alice, bob)
    owner = staff(org)
    booking = book_slot(owner, haircut, alice, NINE, mode=State.REQUEST)
    later = NINE + timedelta(hours=3)
    actions.move_booking(
        booking.id, actor=owner, to=Destination(starts_at=later, resource_id=bob.id)
    )
    claim = TimeClaim.objects.get(line__booking=booking)
    assert (claim.resource_id, claim.starts_at, claim.active) == (bob.id, later, True)
    # Alice is free again at nine.
    book_slot(owner, haircut, alice, NINE)


def test_a_move_into_a_taken_slot_is_refused_and_changes_nothing(org):
    alice = staff_member(org)
    haircut = service(org, alice)
    owner = staff(org)
    book_slot(owner, haircut, alice, NINE, mode=State.CONFIRMED)
    mine = book_slot(owner, haircut, alice, NINE + timedelta(hours=2))
    before = snapshot(mine.id)
    with pytest.raises(errors.SlotTaken):
        actions.move_booking(
            mine.id, actor=owner, to=Destination(starts_at=NINE + timedelta(minutes=30))
        )
    assert snapshot(mine.id) == before


def test_a_move_overlapping_its_own_old_time_is_fine(org):
    alice = staff_member(org)
    haircut = service(org, alice)
    owner = staff(org)
    booking = book_slot(owner, haircut, alice, NINE)
    actions.move_booking(
        booking.id, actor=owner, to=Destination(starts_at=NINE + timedelta(minutes=30))
    )
    assert TimeClaim.objects.get(line__booking=booking).starts_at == NINE + timedelta(minutes=30)


def test_a_room_session_moves_to_another_room_with_all_its_players(org):
    vault, lab = room(org, "The Vault"), room(org, "The Lab")
    escape = session(org, vault, lab)
    adult, child = escape.prices.all()
    owner = staff(org)
    booking = actions.create_booking(
        actor=owner,
        organisation_id=org.id,
        mode=State.CONFIRMED,
        lines=[
            actions.SlotRequest(escape.id, vault.id, NINE, 2, adult.id),
            actions.SlotRequest(escape.id, vault.id, NINE, 1, child.id),
        ],
    )
    actions.move_booking(booking.id, actor=owner, to=Destination(resource_id=lab.id))
    assert set(
        BookingLine.objects.filter(booking_id=booking.id).values_list("resource_id", flat=True)
    ) == {lab.id}
    assert list(TimeClaim.objects.filter(active=True).values_list("resource_id", flat=True)) == [
        lab.id
    ]


def test_a_move_needs_a_destination_of_the_right_kind(org):
    date, ticket = on_sale(org)
    owner = staff(org)
    booking = book(owner, date, ticket)
    with pytest.raises(shared_errors.InvalidInput):
        actions.move_booking(booking.id, actor=owner, to=Destination())
    with pytest.raises(shared_errors.InvalidInput):
        actions.move_booking(booking.id, actor=owner, to=Destination(starts_at=NINE))
    with pytest.raises(shared_errors.InvalidInput):
        actions.move_booking(booking.id, actor=owner, to=Destination(event_date_id=date.id))


def test_ended_bookings_cannot_be_moved_and_customers_cannot_move(org):
    date, ticket = on_sale(org)
    other = second_date(org, date, 10)
    owner = staff(org)
    booking = book(owner, date, ticket)
    actions.cancel_booking(booking.id, actor=owner)
    with pytest.raises(errors.IllegalTransition):
        actions.move_booking(booking.id, actor=owner, to=Destination(event_date_id=other.id))


def test_more_tickets_are_checked_like_a_new_booking_fewer_go_back(org):
    date, ticket = on_sale(org, capacity=5)
    owner = staff(org)
    booking = book(owner, date, ticket, quantity=2, mode=State.CONFIRMED)
    line = BookingLine.objects.get(booking_id=booking.id)
    actions.change_quantity(booking.id, actor=owner, line_id=line.id, quantity=4)
    assert taken(date) == 4
    assert Booking.objects.get(id=booking.id).total == 4 * ticket.price
    before = snapshot(booking.id)
    with pytest.raises(errors.SoldOut):
        actions.change_quantity(booking.id, actor=owner, line_id=line.id, quantity=6)
    assert snapshot(booking.id) == before
    actions.change_quantity(booking.id, actor=owner, line_id=line.id, quantity=1)
    assert taken(date) == 1 and Hold.objects.get(line=line).quantity == 1


def test_fewer_players_keeps_the_room_and_the_range_is_enforced(org):
    vault = room(org)
    escape = session(org, vault)
    owner = staff(org)
    booking = book_slot(owner, escape, vault, NINE, quantity=4, mode=State.CONFIRMED)
    line = BookingLine.objects.get(booking_id=booking.id)
    actions.change_quantity(booking.id, actor=owner, line_id=line.id, quantity=2)
    assert Booking.objects.get(id=booking.id).total == 2 * 30
    assert TimeClaim.objects.get(line=line).active
    with pytest.raises(shared_errors.InvalidInput, match="between 2 and 6"):
        actions.change_quantity(booking.id, actor=owner, line_id=line.id, quantity=1)


def test_a_quantity_change_on_a_quote_moves_no_places(org):
    date, ticket = on_sale(org, capacity=5)
    owner = staff(org)
    quote = book(owner, date, ticket, quantity=2, mode=State.QUOTE)
    line = BookingLine.objects.get(booking_id=quote.id)
    actions.change_quantity(quote.id, actor=owner, line_id=line.id, quantity=9)
    assert taken(date) == 0
    with pytest.raises(errors.SoldOut):
        actions.convert_booking(quote.id, actor=owner)


def test_a_line_of_another_booking_is_not_found(org):
    date, ticket = on_sale(org)
    owner = staff(org)
    first, second = book(owner, date, ticket), book(owner, date, ticket)
    with pytest.raises(shared_errors.NotFound):
        actions.change_quantity(
            first.id,
            actor=owner,
            line_id=BookingLine.objects.get(booking_id=second.id).id,
            quantity=2,
        )


def test_agents_may_move_and_resize(org):
    date, ticket = on_sale(org)
    other = second_date(org, date, 10)
    agent = staff(org, Role.AGENT)
    booking = book(agent, date, ticket)
    actions.move_booking(booking.id, actor=agent, to=Destination(event_date_id=other.id))
    actions.change_quantity(
        booking.id,
        actor=agent,
        line_id=BookingLine.objects.get(booking_id=booking.id).id,
        quantity=2,
    )
