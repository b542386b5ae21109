"""Appointments and room sessions on the same engine: a booking takes a resource's time.

The engine's verbs are the ones tickets use; these tests walk each of them with a time claim
and check, in the database, which claims are active (two active claims of one resource
never overlap: the database refuses it, on SQLite and PostgreSQL alike).
"""

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from tentative.bookings import actions, errors
from tentative.bookings.models import Booking, BookingLine
from tentative.core.states import State
from tentative.inventory.models import TimeClaim
from tentative.shared import errors as shared_errors
from tests.factories import book_slot, room, service, session, staff, staff_member

pytestmark = pytest.mark.django_db

NINE = (timezone.now() + timedelta(days=10)).replace(hour=9, minute=0, second=0, microsecond=0)


def active(resource) -> list[tuple]:
    return list(
        TimeClaim.objects.filter(resource=resource, active=True)
        .order_by("starts_at")
        .values_list("line__booking_id", "starts_at", "ends_at")
    )


@pytest.fixture
def alice(org):
    return staff_member(org, "Alice")


@pytest.fixture
def haircut(org, alice):
    return service(org, alice, buffer_before=timedelta(minutes=10))


def test_an_appointment_claims_the_staff_members_time_with_its_buffers(org, alice, haircut):
    booking = book_slot(staff(org), haircut, alice, NINE)
    line = BookingLine.objects.get(booking_id=booking.id)
    assert (line.starts_at, line.ends_at) == (NINE, NINE + timedelta(hours=1))
    assert active(alice) == [(booking.id, NINE - timedelta(minutes=10), NINE + timedelta(hours=1))]
    assert booking.total == 50 and booking.deadline_rule == "5 days after booking"


def test_an_overlapping_appointment_is_refused_with_slot_taken(org, alice, haircut):
    owner = staff(org)
    book_slot(owner, haircut, alice, NINE, mode=State.CONFIRMED)
    before = Booking.objects.count()
    with pytest.raises(errors.SlotTaken) as refused:
        book_slot(owner, haircut, alice, NINE + timedelta(minutes=30))
    assert refused.value.status == 409 and refused.value.code == "slot_taken"
    assert Booking.objects.count() == before  # nothing half-written
    # The buffer counts: ending at 9:00 meets the 8:50 preparation of the 9:00 one.
    with pytest.raises(errors.SlotTaken):
        book_slot(owner, haircut, alice, NINE - timedelta(minutes=55))
    # Back to back with the buffer respected is fine.
    book_slot(owner, haircut, alice, NINE + timedelta(hours=1, minutes=10))


def test_the_database_itself_refuses_two_active_overlapping_claims(org, alice, haircut):
    owner = staff(org)
    first = book_slot(owner, haircut, alice, NINE)
    quote = book_slot(owner, haircut, alice, NINE, mode=State.QUOTE)
    claim = TimeClaim.objects.get(line__booking=quote)
    assert not claim.active
    with pytest.raises(IntegrityError), transaction.atomic():
        TimeClaim.objects.filter(id=claim.id).update(active=True)
    assert active(alice)[0][0] == first.id


def test_a_quote_claims_nothing_and_converting_rechecks_the_slot(org, alice, haircut):
    owner = staff(org)
    quote = book_slot(owner, haircut, alice, NINE, mode=State.QUOTE)
    assert active(alice) == []
    other = book_slot(owner, haircut, alice, NINE, mode=State.CONFIRMED)
    with pytest.raises(errors.SlotTaken):
        actions.convert_booking(quote.id, actor=owner)
    assert Booking.objects.get(id=quote.id).state == State.QUOTE
    actions.cancel_booking(other.id, actor=owner, reason="client called")
    actions.convert_booking(quote.id, actor=owner, target=State.OPTION)
    assert [c[0] for c in active(alice)] == [quote.id]


def test_several_clients_may_request_the_same_slot_when_the_service_says_so(org, alice):
    open_slot = service(org, alice, requires_approval=True, requests_hold_capacity=False)
    owner = staff(org)
    first, second = (book_slot(owner, open_slot, alice, NINE, mode=State.REQUEST) for _ in "12")
    assert active(alice) == []
    actions.approve_booking(second.id, actor=owner)
    # Approving one refuses the others for the same time (issue 13), in the same step.
    assert Booking.objects.get(id=first.id).state == State.DECLINED
    with pytest.raises(errors.IllegalTransition):
        actions.approve_booking(first.id, actor=owner)


def test_a_pending_request_blocks_the_slot_when_requests_hold(org, alice):
    exclusive = service(org, alice, requires_approval=True, requests_hold_capacity=True)
    owner = staff(org)
    pending = book_slot(owner, exclusive, alice, NINE, mode=State.REQUEST)
    with pytest.raises(errors.SlotTaken):
        book_slot(owner, exclusive, alice, NINE, mode=State.REQUEST)
    actions.decline_booking(pending.id, actor=owner, reason="no")
    assert active(alice) == []
    book_slot(owner, exclusive, alice, NINE, mode=State.REQUEST)


def test_cancel_expire_and_reinstate_release_and_retake_the_slot(org, alice, haircut):
    owner = staff(org)
    option = book_slot(owner, haircut, alice, NINE)
    actions.expire_booking(option.id, actor=owner)
    assert active(alice) == []
    actions.reinstate_booking(option.id, actor=owner, target=State.OPTION, reason="paid late")
    assert [c[0] for c in active(alice)] == [option.id]
    actions.cancel_booking(option.id, actor=owner)
    assert active(alice) == []


def test_a_lapsed_option_never_blocks_the_slot_even_before_the_sweep(org, alice, haircut):
    owner = staff(org)
    lapsing = book_slot(owner, haircut, alice, NINE)
    later = lapsing.deadline_enforced + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        fresh = book_slot(owner, haircut, alice, NINE, now=later)
    assert Booking.objects.get(id=lapsing.id).state == State.EXPIRED
    assert [c[0] for c in active(alice)] == [fresh.id]


def test_a_room_session_counts_players_per_price_and_claims_the_room_once(org):
    vault = room(org)
    escape = session(org, vault)
    adult, child = escape.prices.all()
    booking = actions.create_booking(
        actor=staff(org),
        organisation_id=org.id,
        mode=State.CONFIRMED,
        lines=[
            actions.SlotRequest(escape.id, vault.id, NINE, 3, adult.id),
            actions.SlotRequest(escape.id, vault.id, NINE, 2, child.id),
        ],
    )
    assert booking.total == 3 * 30 + 2 * 20
    assert active(vault) == [(booking.id, NINE, NINE + timedelta(hours=1, minutes=15))]


def test_a_room_session_refuses_too_many_players_and_two_slots(org):
    vault = room(org)
    escape = session(org, vault)
    adult, child = escape.prices.all()
    owner = staff(org)
    with pytest.raises(shared_errors.InvalidInput, match="between 2 and 6"):
        book_slot(owner, escape, vault, NINE, quantity=7)
    with pytest.raises(shared_errors.InvalidInput, match="one time"):
        actions.create_booking(
            actor=owner,
            organisation_id=org.id,
            mode=State.OPTION,
            lines=[
                actions.SlotRequest(escape.id, vault.id, NINE, 2, adult.id),
                actions.SlotRequest(escape.id, vault.id, NINE + timedelta(hours=2), 2, child.id),
            ],
        )


def test_a_resource_must_offer_the_service_and_belong_to_the_organisation(org, alice, haircut):
    bob = staff_member(org, "Bob")
    with pytest.raises(shared_errors.InvalidInput, match="Bob does not offer"):
        book_slot(staff(org), haircut, bob, NINE)
    elsewhere = staff_member(type(org).objects.create(name="B", slug="b-elsewhere"))
    haircut.resources.add(elsewhere)
    with pytest.raises(shared_errors.NotFound):
        book_slot(staff(org), haircut, elsewhere, NINE)


def test_a_start_in_the_past_or_without_a_time_zone_is_refused(org, alice, haircut):
    with pytest.raises(shared_errors.InvalidInput, match="already started"):
        book_slot(staff(org), haircut, alice, timezone.now() - timedelta(hours=1))
    with pytest.raises(shared_errors.InvalidInput, match="time zone"):
        book_slot(staff(org), haircut, alice, NINE.replace(tzinfo=None))
