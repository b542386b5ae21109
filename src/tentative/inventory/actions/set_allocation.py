"""Set how many places a reserve holds on a date for a ticket type (seed 002: Tarifs ›
Quantités › Réserve). Growing takes free places out of general sale; shrinking gives places
back to it and can never go below what was already booked from the reserve.

Reserved seating does not exist yet: every price counts places, so every price can be
reserved. A seated price, when it comes, must be refused here.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import F

from tentative.catalog.messages import NOT_ON_SALE_MESSAGE, STARTED
from tentative.inventory import reserves
from tentative.inventory.actions._common import lock_reserve, offer, places, record, reserve_date
from tentative.inventory.models import CapacityPool, ReserveDate
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.errors import InvalidInput
from tentative.shared.transactions import action_transaction


def set_allocation(
    reserve_id: int,
    *,
    actor: Actor,
    event_date_id: int,
    ticket_type_id: int,
    quantity: int,
    now: datetime | None = None,
) -> reserves.Resized:
    now = now_or(now)
    quantity = places(quantity)
    with action_transaction():
        reserve = lock_reserve(reserve_id, actor=actor)
        date, ticket_type = offer(reserve, event_date_id, ticket_type_id)
        if date.starts_at <= now:
            raise InvalidInput(STARTED)
        if not CapacityPool.objects.filter(
            event_date=date, ticket_type=None, reserve=None
        ).exists():
            raise InvalidInput(NOT_ON_SALE_MESSAGE)
        pool = reserves.reserve_pool(
            organisation_id=reserve.organisation_id,
            reserve_id=reserve.id,
            event_date_id=date.id,
            ticket_type_id=ticket_type.id,
        )
        [resized] = reserves.resize({pool.id: lambda _pool: quantity})
        row = reserve_date(reserve, date, now=now)
        if resized.before == resized.after:
            return resized
        if resized.released:
            ReserveDate.objects.filter(id=row.id).update(released=F("released") + resized.released)
        record(
            reserve,
            actor=actor,
            verb="allocate",
            at=now,
            data={
                "event_date": date.id,
                "ticket_type": ticket_type.id,
                "before": resized.before,
                "after": resized.after,
                "drawn": resized.drawn,
            },
        )
    return resized
