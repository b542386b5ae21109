"""Taking places: the early sold-out refusal, and its agreement with the inline reclaim."""

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tentative.bookings import actions, errors
from tentative.bookings.actions._capacity import free_and_lapsed
from tentative.bookings.actions.expire import lapsed_holders_of_date
from tentative.bookings.models import Booking
from tentative.core.deadlines import AtLimit
from tentative.core.states import State
from tentative.inventory import capacity
from tentative.inventory.actions import create_reserve, set_allocation
from tentative.inventory.models import CapacityPool
from tests.factories import TicketTypeFactory, book, on_sale, staff

pytestmark = pytest.mark.django_db


def test_the_sold_out_check_sees_exactly_the_lapsed_holders_the_reclaim_would_expire(org):
    """FREE_AND_LAPSED_SQL restates `lapsed_holders_of_date` in SQL; they must never part.
    Each booking below differs from a lapsed holder in one respect, and every moment is
    tried, at each deadline exactly and a second either side, in two time zones."""
    owner = staff(org)
    date, ticket = on_sale(org, capacity=50, quota=20, deadline_days_after_booking=2)
    other_date, other_ticket = on_sale(org, capacity=50, deadline_days_after_booking=1)
    unheld = TicketTypeFactory(
        event=date.event, requires_approval=True, requests_hold_capacity=False
    )
    reserve = create_reserve(org.id, actor=owner, name="Press")
    set_allocation(
        reserve.id, actor=owner, event_date_id=date.id, ticket_type_id=ticket.id, quantity=5
    )
    now = timezone.now().replace(microsecond=0)
    made = [
        book(owner, date, ticket, quantity=2, now=now),  # lapses after 2 days
        book(owner, date, ticket, mode=State.QUOTE, now=now),  # holds nothing
        book(owner, date, ticket, mode=State.REQUEST, now=now),  # lapses when the date starts
        book(owner, date, unheld, mode=State.REQUEST, now=now),  # a request holding nothing
        book(owner, other_date, other_ticket, now=now),  # another date, lapses after 1 day
        actions.create_booking(  # drawn from the reserve
            actor=owner,
            organisation_id=org.id,
            mode=State.OPTION,
            lines=[actions.LineRequest(date.id, ticket.id, 1, reserve_id=reserve.id)],
            now=now,
        ),
    ]
    cancelled = book(owner, date, ticket, now=now)
    actions.cancel_booking(cancelled.id, actor=owner, reason="test", now=now)
    quote = made[1]  # valid half a day: lapsed, but holding nothing to reclaim
    quote.deadline_enforced = now + timedelta(hours=12)
    Booking.objects.filter(id=quote.id).update(deadline_enforced=quote.deadline_enforced)
    review = book(owner, date, ticket, now=now + timedelta(hours=1))
    Booking.objects.filter(id=review.id).update(at_limit=AtLimit.REVIEW.value)  # flexible policy
    deadlines = {b.deadline_enforced for b in [*made, review] if b.deadline_enforced}
    moments = sorted({d + timedelta(seconds=s) for d in deadlines for s in (-1, 0, 1)} | {now})
    pools = CapacityPool.objects.filter(event_date__in=[date, other_date]).order_by("id")
    seen = set()
    for moment in moments:
        for zone in (UTC, ZoneInfo("America/New_York")):
            for pool in pools:
                expected = lapsed_holders_of_date(moment, pool.id).exists()
                free, lapsed = free_and_lapsed(pool.id, now=moment.astimezone(zone))
                assert (free, lapsed) == (pool.capacity - pool.taken - pool.set_aside, expected)
                seen.add(expected)
    assert seen == {True, False}


def test_a_sold_out_date_refuses_with_two_reads_and_writes_nothing(
    org, django_assert_max_num_queries
):
    owner = staff(org)
    date, ticket = on_sale(org, capacity=2)
    book(owner, date, ticket, quantity=2)
    with django_assert_max_num_queries(3), pytest.raises(errors.SoldOut) as refused:
        book(owner, date, ticket)  # the catalog, the pools, then free places and lapsed holders
    assert "0 available" in refused.value.text
    assert Booking.objects.count() == 1


def test_a_reclaim_of_many_options_binds_a_bounded_number_of_ids(org, monkeypatch):
    monkeypatch.setattr(capacity, "IDS_PER_STATEMENT", 2)
    owner = staff(org)
    date, ticket = on_sale(org, capacity=5)
    lapsing = [book(owner, date, ticket) for _ in range(5)]
    later = lapsing[0].deadline_enforced + timedelta(seconds=1)
    assert book(owner, date, ticket, quantity=5, now=later).holds_capacity
    assert set(
        Booking.objects.filter(id__in=[b.id for b in lapsing]).values_list("state", flat=True)
    ) == {"expired"}
    assert CapacityPool.objects.get(event_date=date).taken == 5
