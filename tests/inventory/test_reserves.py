"""Reserves single-threaded: setting aside, booking from them, releasing, cancelling."""

from __future__ import annotations

import pytest

from tentative.bookings import actions, errors
from tentative.bookings.models import AuditEntry
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.inventory import errors as reserve_errors
from tentative.inventory.actions import (
    create_reserve,
    release_places,
    set_allocation,
)
from tentative.inventory.capacity import reconcile
from tentative.inventory.models import CapacityPool, Reserve
from tests.factories import book, on_sale, staff

pytestmark = pytest.mark.django_db


def general(date) -> CapacityPool:
    return CapacityPool.objects.get(event_date=date, ticket_type=None, reserve=None)


def draw(actor, date, ticket, reserve, quantity=1, mode=State.CONFIRMED):
    return actions.create_booking(
        actor=actor,
        organisation_id=date.event.organisation_id,
        mode=mode,
        lines=[actions.LineRequest(date.id, ticket.id, quantity, reserve_id=reserve.id)],
    )


def test_places_set_aside_leave_general_sale_and_are_drawn_from_the_reserve(org):
    date, ticket = on_sale(org, capacity=10)
    owner = staff(org)
    reserve = create_reserve(org.id, actor=owner, name="Press")
    set_allocation(
        reserve.id, actor=owner, event_date_id=date.id, ticket_type_id=ticket.id, quantity=4
    )
    assert (general(date).set_aside, general(date).free) == (4, 6)
    book(owner, date, ticket, quantity=6, mode=State.CONFIRMED)
    with pytest.raises(errors.SoldOut):
        book(owner, date, ticket, quantity=1)
    draw(owner, date, ticket, reserve, quantity=3)
    pool = CapacityPool.objects.get(reserve=reserve)
    assert (pool.capacity, pool.taken) == (4, 3)
    assert general(date).taken == 6
    with pytest.raises(reserve_errors.BelowDrawn):
        set_allocation(
            reserve.id, actor=owner, event_date_id=date.id, ticket_type_id=ticket.id, quantity=2
        )
    release_places(reserve.id, actor=owner, event_date_id=date.id, ticket_type_id=ticket.id)
    assert (general(date).set_aside, general(date).free) == (3, 1)
    assert reconcile() == []
    assert AuditEntry.objects.filter(action__startswith="reserve.").count() == 3


def test_an_agent_without_access_is_refused(org):
    date, ticket = on_sale(org, capacity=10)
    owner = staff(org)
    reserve = create_reserve(
        org.id, actor=owner, name="Artists", audience=Reserve.Audience.SELECTED
    )
    set_allocation(
        reserve.id, actor=owner, event_date_id=date.id, ticket_type_id=ticket.id, quantity=4
    )
    with pytest.raises(reserve_errors.ReserveNotYours):
        draw(staff(org, Role.AGENT), date, ticket, reserve)
