"""Dates come with their pools; a capacity or a quota never goes below what is taken."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tentative.audit.models import AuditEntry
from tentative.catalog.errors import CatalogueManagersOnly
from tentative.catalog.models import EventDate
from tentative.core.permissions import Role
from tentative.inventory import actions
from tentative.inventory.errors import CapacityBelowTaken, DateInThePast, QuotaInUse, TooManyDates
from tentative.inventory.models import CapacityPool
from tentative.shared.errors import InvalidInput, NotFound
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    TicketTypeFactory,
    book,
    on_sale,
    staff,
)

pytestmark = pytest.mark.django_db


def _times(n: int = 2) -> list[tuple[datetime, datetime]]:
    start = timezone.now() + timedelta(days=10)
    return [
        (start + timedelta(days=7 * i), start + timedelta(days=7 * i, hours=2)) for i in range(n)
    ]


def test_adding_dates_puts_them_on_sale_with_each_quota(org):
    actor = staff(org, Role.MANAGER)
    event = EventFactory(organisation=org)
    limited = TicketTypeFactory(event=event, quota_per_date=20)
    TicketTypeFactory(event=event)
    dates = actions.add_dates(event.id, actor=actor, times=_times(2), capacity=100)
    assert len(dates) == 2
    for date in dates:
        pools = {
            (p.ticket_type_id, p.capacity) for p in CapacityPool.objects.filter(event_date=date)
        }
        assert pools == {(None, 100), (limited.id, 20)}
    booked = book(actor, dates[0], limited, quantity=3)
    assert booked.state == "option"
    [entry] = AuditEntry.objects.filter(action="catalog.dates_added")
    assert entry.data["dates"] == [d.id for d in dates]


@pytest.mark.parametrize(
    ("times", "capacity", "error"),
    [
        ([], 10, TooManyDates),
        (None, -1, InvalidInput),
        (None, 10**7, InvalidInput),
        ("past", 10, DateInThePast),
        ("backwards", 10, InvalidInput),
    ],
)
def test_bad_dates_write_nothing(org, times, capacity, error):
    actor = staff(org)
    event = EventFactory(organisation=org)
    now = timezone.now()
    if times is None:
        times = _times(1)
    elif times == "past":
        times = [(now - timedelta(hours=1), now + timedelta(hours=1))]
    elif times == "backwards":
        times = [(now + timedelta(days=2), now + timedelta(days=1))]
    with pytest.raises(error):
        actions.add_dates(event.id, actor=actor, times=times, capacity=capacity)
    assert not EventDate.objects.exists() and not CapacityPool.objects.exists()


def test_rights_for_dates_capacities_and_quotas(org):
    date, ticket = on_sale(org, capacity=10)
    for actor, error in (
        (staff(org, Role.AGENT), CatalogueManagersOnly),
        (staff(OrganisationFactory()), NotFound),
    ):
        with pytest.raises(error):
            actions.add_dates(date.event_id, actor=actor, times=_times(1), capacity=5)
        with pytest.raises(error):
            actions.set_capacity(date.id, actor=actor, capacity=50)
        with pytest.raises(error):
            actions.set_quota(ticket.id, actor=actor, quota=5)
    assert CapacityPool.objects.get().capacity == 10
    assert EventDate.objects.count() == 1 and not AuditEntry.objects.exists()


def test_capacity_never_goes_below_what_is_booked_and_set_aside(org):
    owner = staff(org)
    date, ticket = on_sale(org, capacity=10)
    book(owner, date, ticket, quantity=4)
    pool = CapacityPool.objects.get(event_date=date, ticket_type=None)
    with pytest.raises(CapacityBelowTaken) as refused:
        actions.set_capacity(date.id, actor=owner, capacity=3)
    assert "4 places" in refused.value.text
    assert CapacityPool.objects.get(id=pool.id).capacity == 10
    actions.set_capacity(date.id, actor=owner, capacity=4)
    assert CapacityPool.objects.get(id=pool.id).capacity == 4
    actions.set_capacity(date.id, actor=owner, capacity=4)  # a no-op writes no entry
    [entry] = AuditEntry.objects.filter(action="catalog.capacity_set")
    assert (entry.data["before"], entry.data["after"]) == (10, 4)


def test_a_date_without_a_pool_gets_one(org):
    owner = staff(org)
    event = EventFactory(organisation=org)
    date = EventDate.objects.create(
        event=event,
        starts_at=datetime(2099, 1, 1, 20, tzinfo=UTC),
        ends_at=datetime(2099, 1, 1, 22, tzinfo=UTC),
    )
    actions.set_capacity(date.id, actor=owner, capacity=30)
    assert CapacityPool.objects.get(event_date=date).capacity == 30


def test_a_quota_is_created_resized_and_removed_never_below_what_is_taken(org):
    owner = staff(org)
    date, ticket = on_sale(org, capacity=50)
    actions.set_quota(ticket.id, actor=owner, quota=10)
    quota = CapacityPool.objects.get(event_date=date, ticket_type=ticket)
    assert quota.capacity == 10
    book(owner, date, ticket, quantity=6)
    with pytest.raises(CapacityBelowTaken):
        actions.set_quota(ticket.id, actor=owner, quota=5)
    with pytest.raises(QuotaInUse):
        actions.set_quota(ticket.id, actor=owner, quota=None)
    assert CapacityPool.objects.get(id=quota.id).capacity == 10
    actions.set_quota(ticket.id, actor=owner, quota=6)
    ticket.refresh_from_db()
    assert ticket.quota_per_date == 6
    _, other = on_sale(org, capacity=50)
    actions.set_quota(other.id, actor=owner, quota=3)
    actions.set_quota(other.id, actor=owner, quota=None)
    assert not CapacityPool.objects.filter(ticket_type=other).exists()
    other.refresh_from_db()
    assert other.quota_per_date is None
