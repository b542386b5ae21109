"""Set (or remove) a ticket type's quota per date: at most this many of it on each date,
within the date's capacity. Each date of the event gets, keeps or loses its quota pool.

- A quota never goes below what is booked or set aside of it on any date (all or nothing).
- A new quota pool counts what reserves already hold of that ticket type on the date (its
  `set_aside`), so `reconcile` stays exact; it counts bookings made from then on: those
  made before the quota existed hold the date's pool only.
- Removing a quota that bookings or reserves hold places of is refused.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from django.db.models import Sum

from tentative.catalog.access import access_ticket_type, check_may_manage_catalogue
from tentative.catalog.models import EventDate
from tentative.inventory.actions._catalogue import capacity_value, record, when
from tentative.inventory.errors import CapacityBelowTaken, QuotaInUse
from tentative.inventory.models import CapacityPool, Hold
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def set_quota(
    ticket_type_id: int, *, actor: Actor, quota: int | None, now: datetime | None = None
) -> None:
    now = now_or(now)
    check_may_manage_catalogue(actor)
    if quota is not None:
        quota = capacity_value(quota)
    with action_transaction():
        ticket_type = access_ticket_type(actor, ticket_type_id, lock=True)
        before = ticket_type.quota_per_date
        pools = list(
            CapacityPool.objects.select_for_update(no_key=True)
            .filter(ticket_type=ticket_type, reserve=None)
            .select_related("event_date__event__organisation")
            .order_by("id")
        )
        if quota is None:
            if (
                any(p.taken or p.set_aside for p in pools)
                or Hold.objects.filter(pool__in=pools).exists()
            ):
                raise QuotaInUse()
            CapacityPool.objects.filter(id__in=[p.id for p in pools]).delete()
        else:
            for pool in pools:
                if quota < pool.taken + pool.set_aside:
                    raise CapacityBelowTaken(
                        taken=pool.taken + pool.set_aside, date=when(pool.event_date)
                    )
            CapacityPool.objects.filter(id__in=[p.id for p in pools]).update(capacity=quota)
            have = {p.event_date_id for p in pools}
            reserved: Counter[int] = Counter(
                dict(
                    CapacityPool.objects.filter(ticket_type=ticket_type, reserve__isnull=False)
                    .values("event_date_id")
                    .annotate(held=Sum("capacity"))
                    .values_list("event_date_id", "held")
                )
            )
            missing = EventDate.objects.filter(event_id=ticket_type.event_id).exclude(id__in=have)
            new = []
            for date in missing.select_related("event__organisation"):
                if quota < reserved[date.id]:
                    raise CapacityBelowTaken(taken=reserved[date.id], date=when(date))
                new.append(
                    CapacityPool(
                        organisation_id=ticket_type.event.organisation_id,
                        event_date=date,
                        ticket_type=ticket_type,
                        capacity=quota,
                        set_aside=reserved[date.id],
                    )
                )
            CapacityPool.objects.bulk_create(new)
        if before == quota:
            return
        ticket_type.quota_per_date = quota
        ticket_type.save(update_fields=["quota_per_date"])
        record(
            ticket_type.event.organisation_id,
            actor=actor,
            verb="quota_set",
            at=now,
            data={
                "event": ticket_type.event_id,
                "ticket_type": ticket_type.id,
                "name": ticket_type.name,
                "before": before,
                "after": quota,
            },
        )
