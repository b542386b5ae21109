"""Add dates to an event, one or a series, each with its capacity pool and, for every ticket
type with a quota per date, that quota's pool: a date is on sale as soon as it exists."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from tentative.catalog.access import access_event, check_may_manage_catalogue
from tentative.catalog.models import EventDate, TicketType
from tentative.core.series import MAX_DATES
from tentative.inventory.actions._catalogue import capacity_value, record
from tentative.inventory.errors import DateInThePast, TooManyDates
from tentative.inventory.models import CapacityPool
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.errors import InvalidInput
from tentative.shared.transactions import action_transaction


def add_dates(
    event_id: int,
    *,
    actor: Actor,
    times: Sequence[tuple[datetime, datetime]],
    capacity: int,
    now: datetime | None = None,
) -> list[EventDate]:
    now = now_or(now)
    check_may_manage_catalogue(actor)
    capacity = capacity_value(capacity)
    if not 1 <= len(times) <= MAX_DATES:
        raise TooManyDates(max=MAX_DATES)
    for starts_at, ends_at in times:
        if starts_at <= now:
            raise DateInThePast()
        if ends_at <= starts_at:
            raise InvalidInput()
    with action_transaction():
        event = access_event(actor, event_id, lock=True)
        # bulk_create returns the ids on PostgreSQL and SQLite (RETURNING).
        dates = EventDate.objects.bulk_create(
            [EventDate(event=event, starts_at=s, ends_at=e) for s, e in sorted(times)]
        )
        quotas = list(
            TicketType.objects.filter(event=event, quota_per_date__isnull=False).values_list(
                "id", "quota_per_date"
            )
        )
        pools = []
        for date in dates:
            pools.append(
                CapacityPool(
                    organisation_id=event.organisation_id, event_date=date, capacity=capacity
                )
            )
            pools.extend(
                CapacityPool(
                    organisation_id=event.organisation_id,
                    event_date=date,
                    ticket_type_id=type_id,
                    capacity=quota,
                )
                for type_id, quota in quotas
            )
        CapacityPool.objects.bulk_create(pools)
        record(
            event.organisation_id,
            actor=actor,
            verb="dates_added",
            at=now,
            data={
                "event": event.id,
                "name": event.name,
                "dates": [d.id for d in dates],
                "starts": [d.starts_at.isoformat() for d in dates],
                "capacity": capacity,
            },
        )
    return dates
