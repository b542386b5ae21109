"""Taking places: the early sold-out refusal, and its agreement with the inline reclaim."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tentative.bookings import actions, errors
from tentative.bookings.actions._capacity import free_and_lapsed
from tentative.bookings.actions.expire import lapsed_holders_of_date
from tentative.bookings.models import Booking
from tentative.core.states import State
from tentative.inventory.models import CapacityPool
from tests.factories import book, on_sale, staff

pytestmark = pytest.mark.django_db


def test_the_sold_out_check_sees_exactly_the_lapsed_holders_the_reclaim_would_expire(org):
    """FREE_AND_LAPSED_SQL restates `lapsed_holders_of_date` in SQL; they must never part."""
    owner = staff(org)
    date, ticket = on_sale(org, capacity=50, quota=20, deadline_days_after_booking=2)
    other_date, other_ticket = on_sale(org, capacity=50, deadline_days_after_booking=1)
    now = timezone.now()
    book(owner, date, ticket, quantity=2, now=now)  # lapses after 2 days
    book(owner, date, ticket, mode=State.QUOTE, now=now)  # holds nothing
    book(owner, date, ticket, mode=State.REQUEST, now=now)  # lapses when the date starts
    book(owner, other_date, other_ticket, now=now)  # another date, lapses after 1 day
    cancelled = book(owner, date, ticket, now=now)
    actions.cancel_booking(cancelled.id, actor=owner, reason="test", now=now)
    pools = CapacityPool.objects.filter(event_date__in=[date, other_date]).order_by("id")
    for later in (timedelta(0), timedelta(days=1, hours=1), timedelta(days=2, hours=1)):
        for pool in pools:
            expected = lapsed_holders_of_date(now + later, pool.id).exists()
            free, lapsed = free_and_lapsed(pool.id, now=now + later)
            assert (free, lapsed) == (pool.capacity - pool.taken - pool.set_aside, expected)
    assert free_and_lapsed(pools[0].id, now=now + timedelta(days=1, hours=1)) == (47, False)
    assert free_and_lapsed(pools[0].id, now=now + timedelta(days=2, hours=1)) == (47, True)


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
