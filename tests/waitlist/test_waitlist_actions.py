"""The waiting list's actions: join, the offer pass, accept, decline, leave, remove, and the
gate that keeps freed places for the list."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tentative.audit.models import AuditEntry
from tentative.bookings import actions as bookings
from tentative.bookings.models import Booking
from tentative.core.states import State
from tentative.inventory.models import CapacityPool
from tentative.outbox import topics
from tentative.outbox.models import OutboxMessage
from tentative.shared.actor import Actor
from tentative.shared.errors import Forbidden, InvalidInput, NotFound
from tentative.waitlist import actions, selectors
from tentative.waitlist.errors import (
    AlreadyWaiting,
    KeptForWaitingList,
    NoOpenOffer,
    NotEnoughPlaces,
    OfferLapsed,
    PlacesAvailable,
)
from tentative.waitlist.models import WaitlistEntry
from tests.factories import CustomerFactory, book, on_sale, staff
from tests.waitlist.factories import full_date, join, visitor

pytestmark = pytest.mark.django_db

State_ = WaitlistEntry.State


def run_pass() -> int:
    now = timezone.now()
    return actions.settle_offers(now=now) + actions.offer_freed_places(now=now)


def release(booking: Booking) -> None:
    bookings.cancel_booking(booking.id, actor=staff(booking.organisation), reason="released")


def test_join_a_full_date_gives_a_position_and_queues_the_email(org):
    date, _t, _held = full_date(org)
    ana = join(org, date, "Ana", quantity=2)
    ben = join(org, date, "Ben")
    assert (selectors.position(ana), selectors.position(ben)) == (1, 2)
    assert ana.customer.email == "ana@example.org"
    event = OutboxMessage.objects.get(topic=topics.WAITLIST_JOINED, payload__entry=ana.id)
    assert event.kind == OutboxMessage.Kind.EVENT
    entry = AuditEntry.objects.get(action="waitlist.join", data__entry=ana.id)
    assert entry.actor_kind == "customer"


def test_join_refused_when_places_are_free_and_nobody_waits(org):
    date, _ticket = on_sale(org, capacity=10)
    with pytest.raises(PlacesAvailable):
        join(org, date, "Ana", quantity=2)
    assert not WaitlistEntry.objects.exists()


def test_join_allowed_when_fewer_places_are_free_than_wanted(org):
    date, ticket = on_sale(org, capacity=3)
    book(staff(org), date, ticket, quantity=2)
    assert join(org, date, "Ana", quantity=2).state == State_.WAITING


def test_join_refuses_bad_input_twice_the_same_address_and_another_organisation(org):
    date, _t, _held = full_date(org)
    with pytest.raises(InvalidInput):
        join(org, date, "Ana", quantity=0)
    with pytest.raises(InvalidInput):
        join(org, date, "Ana", quantity=org.public_max_places_per_order + 1)
    join(org, date, "Ana")
    with pytest.raises(AlreadyWaiting):
        join(org, date, "Ana")
    other = CustomerFactory().organisation
    with pytest.raises(NotFound):
        actions.join_waitlist(
            actor=visitor(other, "x@example.org"),
            organisation_id=other.id,
            event_date_id=date.id,
            ticket_type_id=None,
            name="X",
            email="x@example.org",
            quantity=1,
        )


def test_a_release_is_offered_to_the_first_in_line_as_a_real_option(org, settings):
    settings.WAITLIST_OFFER_HOURS = 48
    date, _ticket, held = full_date(org)
    ana = join(org, date, "Ana")
    join(org, date, "Ben")
    release(held[0])
    assert run_pass() == 1
    ana.refresh_from_db()
    assert ana.state == State_.OFFERED and ana.offered_quantity == 1
    offer = ana.offer
    assert offer.state == State.OPTION and offer.holds_capacity
    assert offer.customer_id == ana.customer_id
    assert offer.deadline_enforced == offer.deadline_shown
    assert abs(offer.deadline_enforced - (ana.offered_at + timedelta(hours=48))) < timedelta(
        seconds=1
    )
    assert offer.at_limit == "release"
    pool = CapacityPool.objects.get(event_date=date, ticket_type=None)
    assert pool.taken == pool.capacity
    assert OutboxMessage.objects.filter(topic=topics.WAITLIST_OFFERED, booking=offer).exists()
    assert AuditEntry.objects.filter(booking=offer, action="waitlist.offer").exists()
    assert run_pass() == 0  # nothing else is free: Ben keeps waiting, first now
    assert selectors.position(WaitlistEntry.objects.get(name="Ben")) == 1


def test_an_entry_that_wants_more_than_is_free_is_skipped_unless_part_would_do(org):
    date, _t, held = full_date(org)
    big = join(org, date, "Big", quantity=3)
    flexible = join(org, date, "Flex", quantity=3, partial=True)
    small = join(org, date, "Small", quantity=1)
    release(held[0])
    release(held[1])
    assert run_pass() == 1
    for entry in (big, flexible, small):
        entry.refresh_from_db()
    assert big.state == State_.WAITING
    assert flexible.state == State_.OFFERED and flexible.offered_quantity == 2
    assert small.state == State_.WAITING


def test_the_offer_lapses_at_its_deadline_and_passes_to_the_next(org, settings):
    settings.WAITLIST_OFFER_HOURS = 2
    date, _t, held = full_date(org)
    ana = join(org, date, "Ana")
    ben = join(org, date, "Ben")
    release(held[0])
    run_pass()
    ana.refresh_from_db()
    with time_machine.travel(timezone.now() + timedelta(hours=3), tick=False):
        bookings.expire_lapsed(now=timezone.now())
        assert run_pass() == 2  # Ana's lapsed, and Ben's offer
        with pytest.raises((OfferLapsed, NoOpenOffer)):
            actions.accept_offer(ana.token)
    ana.refresh_from_db()
    ben.refresh_from_db()
    assert ana.state == State_.LAPSED
    assert ben.state == State_.OFFERED
    assert AuditEntry.objects.filter(action="waitlist.lapse", data__entry=ana.id).exists()


def test_accepting_keeps_the_option_to_pay_and_paying_settles_the_entry(org):
    date, _t, held = full_date(org)
    ana = join(org, date, "Ana")
    release(held[0])
    run_pass()
    accepted = actions.accept_offer(ana.token)
    assert accepted.state == State_.ACCEPTED
    assert accepted.offer.state == State.OPTION  # a reservation to pay by its deadline
    assert actions.accept_offer(ana.token).state == State_.ACCEPTED  # a second click
    bookings.confirm_booking(accepted.offer_id, actor=staff(org))
    assert run_pass() == 0
    ana.refresh_from_db()
    assert ana.state == State_.ACCEPTED


def test_a_free_offer_is_confirmed_on_accepting(org):
    date, _t, held = full_date(org, price=0)
    ana = join(org, date, "Ana")
    release(held[0])
    run_pass()
    accepted = actions.accept_offer(ana.token)
    accepted.offer.refresh_from_db()
    assert accepted.offer.state == State.CONFIRMED


def test_declining_frees_the_places_for_the_next_one(org):
    date, _t, held = full_date(org)
    ana = join(org, date, "Ana")
    ben = join(org, date, "Ben")
    release(held[0])
    run_pass()
    ana.refresh_from_db()
    declined = actions.decline_offer(ana.token)
    assert declined.state == State_.DECLINED
    assert Booking.objects.get(id=ana.offer_id).state == State.CANCELLED
    assert run_pass() == 1
    ben.refresh_from_db()
    assert ben.state == State_.OFFERED
    with pytest.raises(NoOpenOffer):
        actions.decline_offer(ana.token)


def test_leaving_and_a_tampered_token(org):
    date, _t, _held = full_date(org)
    ana = join(org, date, "Ana")
    ben = join(org, date, "Ben")
    assert actions.leave_waitlist(ana.token).state == State_.LEFT
    assert selectors.position(WaitlistEntry.objects.get(id=ben.id)) == 1
    with pytest.raises(NotFound):
        actions.leave_waitlist(ana.token[:-1] + ("A" if ana.token[-1] != "A" else "B"))
    with pytest.raises(NotFound):
        actions.accept_offer("x\x00y")


def test_staff_offer_by_hand_and_remove_with_their_rights(org):
    date, _t, held = full_date(org)
    ana = join(org, date, "Ana")
    ben = join(org, date, "Ben", quantity=2)
    owner = staff(org)
    with pytest.raises(NotEnoughPlaces):
        actions.offer_entry(ben.id, actor=owner)
    release(held[0])
    release(held[1])
    offered = actions.offer_entry(ben.id, actor=owner)  # out of turn, by hand
    assert offered.state == State_.OFFERED and offered.offered_quantity == 2
    removed = actions.remove_entry(ben.id, actor=owner, reason="asked by phone")
    assert removed.state == State_.REMOVED
    assert Booking.objects.get(id=offered.offer_id).state == State.CANCELLED
    with pytest.raises(Forbidden):
        actions.remove_entry(ana.id, actor=visitor(org, "ana@example.org"))
    other_staff = staff(CustomerFactory().organisation)
    with pytest.raises(NotFound):
        actions.remove_entry(ana.id, actor=other_staff)


def test_freed_places_are_kept_for_the_list_against_public_bookings(org):
    date, ticket, held = full_date(org)
    join(org, date, "Ana", quantity=1)
    release(held[0])
    customer = CustomerFactory(organisation=org)
    with pytest.raises(KeptForWaitingList):
        book(Actor.customer(customer), date, ticket, quantity=1)
    with pytest.raises(KeptForWaitingList):  # a public checkout by the system alike
        book(Actor.system("checkout"), date, ticket, quantity=1)
    # Staff decide: they may sell it.
    assert book(staff(org), date, ticket, quantity=1).state == State.OPTION


def test_a_capacity_increase_beyond_what_waits_is_for_sale_at_once(org):
    date, ticket, _held = full_date(org)
    join(org, date, "Ana", quantity=2)
    CapacityPool.objects.filter(event_date=date, ticket_type=None).update(capacity=10)
    customer = CustomerFactory(organisation=org)
    # 6 free, 2 wanted by the list: 4 may be sold to the public, not 5.
    with pytest.raises(KeptForWaitingList):
        book(Actor.customer(customer), date, ticket, quantity=5)
    assert book(Actor.customer(customer), date, ticket, quantity=4).holds_capacity
    assert run_pass() == 1
    assert WaitlistEntry.objects.get(name="Ana").offered_quantity == 2
