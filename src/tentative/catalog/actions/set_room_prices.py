"""Edit a room's price categories from its page (issue 14 item 2): add, rename, re-price,
per player or per group, remove.

The list is given whole, each row naming the category it changes (`id`) or none (a new
one). A category left out is removed: deleted if nothing was ever sold at it, otherwise
retired (`ServicePrice.retired_at`): lines copied its price and name at booking, so sold
bookings keep theirs, and it is no longer offered. A room that sells places follows: its
ticket types are the per-player categories (`_places.sync_ticket_types`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from tentative.catalog.access import check_may_manage_catalogue
from tentative.catalog.actions._common import record
from tentative.catalog.actions._places import sync_ticket_types
from tentative.catalog.errors import InvalidTerms
from tentative.catalog.models import Resource, Service, ServicePrice
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.errors import NotFound
from tentative.shared.transactions import action_transaction

NAME_NEEDED = _("A category needs a name of at most 100 characters.")
NAME_TWICE = _("Two categories cannot have the same name.")
PRICE_RANGE = _("A price is an amount from 0 to 9,999,999.99.")
NO_CATEGORY = _("A room needs at least one price category.")
MAX_PRICE = Decimal("9999999.99")


@dataclass(frozen=True)
class PriceRow:
    name: str
    price: Decimal
    per_group: bool = False
    id: int | None = None  # None: a new category


def set_room_prices(
    room_id: int, *, actor: Actor, rows: tuple[PriceRow, ...], now: datetime | None = None
) -> list[ServicePrice]:
    """Refusals name the row: `name_<i>`, `price_<i>` (i counts from 0), or `categories`."""
    now = now_or(now)
    check_may_manage_catalogue(actor)
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for i, row in enumerate(rows):
        name = row.name.strip()
        if not name or len(name) > 100:
            errors[f"name_{i}"] = [str(NAME_NEEDED)]
        elif name.casefold() in seen:
            errors[f"name_{i}"] = [str(NAME_TWICE)]
        seen.add(name.casefold())
        if (
            not row.price.is_finite()
            or not Decimal(0) <= row.price <= MAX_PRICE
            or row.price != row.price.quantize(Decimal("0.01"))
        ):
            errors[f"price_{i}"] = [str(PRICE_RANGE)]
    if not rows:
        errors["categories"] = [str(NO_CATEGORY)]
    if errors:
        raise InvalidTerms(errors)
    with action_transaction():
        room = (
            Resource.objects.select_for_update(no_key=True)
            .filter(id=room_id, kind=Resource.Kind.ROOM, organisation_id=actor.organisation_id)
            .first()
        )
        game = (
            Service.objects.select_for_update(no_key=True)
            .filter(resources=room, kind=Service.Kind.ROOM_SESSION)
            .first()
            if room is not None
            else None
        )
        if room is None or game is None:
            raise NotFound()
        current = {p.id: p for p in ServicePrice.objects.filter(service=game)}
        for i, row in enumerate(rows):
            if row.id is not None and row.id not in current:
                raise InvalidTerms({f"name_{i}": [str(NotFound.message)]})
        kept = []
        for row in rows:
            price = current.get(row.id) if row.id is not None else None
            if price is None:
                price = ServicePrice(service=game)
            price.name, price.price, price.per_group = row.name.strip(), row.price, row.per_group
            price.save()
            kept.append(price)
        gone = [p for p_id, p in current.items() if p_id not in {k.id for k in kept}]
        sold = set(
            ServicePrice.objects.filter(id__in=[p.id for p in gone], lines__isnull=False)
            .values_list("id", flat=True)
            .distinct()
        )
        ServicePrice.objects.filter(id__in=sold).update(retired_at=now)
        ServicePrice.objects.filter(id__in=[p.id for p in gone if p.id not in sold]).delete()
        sync_ticket_types(game)
        record(
            room.organisation_id,
            actor=actor,
            verb="room_prices_set",
            at=now,
            data={
                "room": room.id,
                "prices": [[p.id, p.name, str(p.price), p.per_group] for p in kept],
                "retired": sorted(sold),
                "deleted": sorted(p.id for p in gone if p.id not in sold),
            },
        )
    return kept
