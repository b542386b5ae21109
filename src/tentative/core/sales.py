"""Sales profiles (seed 001, DESIGN §1.2): may a product be bought, or reserved, here and now?

Pure: no Django. `catalog.selectors.sale_modes` reads the rows and calls `decide`.

A *sales profile* applies to some channels (web shop, box office…; none listed: every
channel), some audiences (public, schools…; none listed: every audience) and a period of
*sale* (the instant a customer books, not the date of the event; either end may be open).
Its *items* name products (one ticket type, an event and all its ticket types, or every
product of the organisation) as for sale (may be bought) and/or reservable (may be booked now
and paid later). An item with neither flag takes the product off sale.

The source product reads overlapping profiles in an undefined way (seed 001). Here, among the
items that match a product, a channel, an audience and an instant, ONE wins, chosen by:

1. the most specific item: a ticket type over an event over "every product": naming one
   ticket type is an exception to a general rule, and must not be undone by the rule;
2. then the narrowest period of sale (a bounded period over an open one, the shorter over
   the longer): a two-week campaign overrides the season it falls in;
3. then the higher explicit priority, the organiser's way to settle anything else;
4. then the more restrictive: "not reservable" over "reservable", then "not for sale" over
   "for sale". A wrongly offered reservation takes places for days and must be chased; a
   missing button costs a phone call. Failing closed is the cheaper mistake.

After those four keys two items can only differ by which profile they belong to, and they
say the same thing, so the result never depends on the order in which profiles are read
(tests/core/test_sales.py checks it with Hypothesis). The lowest profile id is reported as
the source for the explanation shown to staff.

No matching item: the product follows its own terms (for sale; reservable when its ticket
type is). Whatever the profiles say, a product is reservable only when its own terms allow
it and the channel allows the audience to reserve (the channel × audience matrix): profiles
narrow what the terms and the matrix allow, never widen it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

# The sales channels, as fixed codes (the labels are `bookings.models.Channel`'s): a booking
# records the one it came through. "api" is an integration acting through a staff token.
CHANNELS = ("web", "box_office", "phone", "b2b", "api")
# Where customers book by themselves: sale modes bind customers everywhere, and an API
# integration that books on these channels (it acts as a shop). Staff in the back office
# keep what their role allows (docs/sales.md).
CUSTOMER_CHANNELS = frozenset({"web", "b2b"})


class Scope(IntEnum):
    """How specific an item is; the higher wins."""

    ALL = 0
    EVENT = 1
    TICKET_TYPE = 2


@dataclass(frozen=True)
class Item:
    scope: Scope
    target: int | None  # the event's or ticket type's id; None for every product
    for_sale: bool
    reservable: bool


@dataclass(frozen=True)
class Profile:
    id: int
    channels: frozenset[str]  # empty: every channel
    audiences: frozenset[int]  # empty: every audience
    starts: datetime | None  # sale opens (inclusive); None: always open before
    ends: datetime | None  # sale closes (exclusive); None: never closes
    priority: int
    items: tuple[Item, ...]

    def applies(self, channel: str, audience: int | None, at: datetime) -> bool:
        if self.channels and channel not in self.channels:
            return False
        if self.audiences and audience not in self.audiences:
            return False
        if self.starts is not None and at < self.starts:
            return False
        return self.ends is None or at < self.ends


@dataclass(frozen=True)
class Product:
    event_id: int
    ticket_type_id: int

    def named_by(self, item: Item) -> bool:
        if item.scope == Scope.ALL:
            return True
        if item.scope == Scope.EVENT:
            return item.target == self.event_id
        return item.target == self.ticket_type_id


@dataclass(frozen=True)
class Decision:
    for_sale: bool
    reservable: bool
    profile_id: int | None  # the profile whose item decided; None: the product's own terms
    scope: Scope | None


def decide(
    profiles: Iterable[Profile],
    *,
    product: Product,
    channel: str,
    audience: int | None,
    at: datetime,
    reservable_by_terms: bool,
    may_reserve_here: bool,
) -> Decision:
    """What `audience` may do with `product` on `channel` at `at` (the rules above)."""
    candidates = [
        (profile, item)
        for profile in profiles
        if profile.applies(channel, audience, at)
        for item in profile.items
        if product.named_by(item)
    ]
    reserve_cap = reservable_by_terms and may_reserve_here
    if not candidates:
        return Decision(for_sale=True, reservable=reserve_cap, profile_id=None, scope=None)
    profile, item = min(candidates, key=_rank)
    return Decision(
        for_sale=item.for_sale,
        reservable=item.reservable and reserve_cap,
        profile_id=profile.id,
        scope=item.scope,
    )


def _rank(candidate: tuple[Profile, Item]) -> tuple[int, int, float, int, bool, bool, int]:
    """The smallest wins: specific, narrow, high priority, restrictive, then lowest id."""
    profile, item = candidate
    bounded = profile.starts is not None and profile.ends is not None
    length = (
        (profile.ends - profile.starts).total_seconds()  # type: ignore[operator]
        if bounded
        else 0.0
    )
    return (
        -item.scope,
        0 if bounded else 1,
        length,
        -profile.priority,
        item.reservable,
        item.for_sale,
        profile.id,
    )
