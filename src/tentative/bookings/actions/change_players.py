"""Change the players of a room session per price category (seed 004 "modifier le nombre
de joueurs"): 4 adults → 2 adults and 1 child, in one step.

`change_quantity` changes one line; a session's players are one line per category, and a
new category (the first child) is a new line, a category emptied a line removed, so this
verb sets every category at once, in one transaction: the new total must be within the
game's players (`min_participants`…`max_participants`), checked on the whole, never on a
half-done state. The slot stays claimed throughout (one claim per booking, on its first
line: handed to another line when that one goes), so nothing is taken or given back and
no other booking can slip in. Prices: a category already on the booking keeps its price
(a change is not a new sale); a category added is at today's price.

What it means for money (an overpayment to keep as a coupon, a balance due) is read by the
payments part from the new total: `payments.selectors.balance`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from tentative.bookings.actions._step import lock_and_check, move, now_or
from tentative.bookings.errors import (
    NotARoomSession,
    PlayersNamed,
    PlayersOutOfRange,
    PlayersUnchanged,
    UnknownCategory,
)
from tentative.bookings.models import Booking, BookingLine
from tentative.bookings.offers import MAX_QUANTITY
from tentative.catalog.messages import STARTED
from tentative.catalog.models import ServicePrice
from tentative.core.states import Action
from tentative.inventory import claims
from tentative.shared.actor import Actor
from tentative.shared.errors import InvalidInput
from tentative.shared.transactions import action_transaction

COUNT_MESSAGE = _("Each count must be between 0 and %(max)s.")


def change_players(
    booking_id: int,
    *,
    actor: Actor,
    players: dict[int, int],
    reason: str = "",
    now: datetime | None = None,
) -> Booking:
    """`players`: price category id → players (0 or absent: none of that category)."""
    now = now_or(now)
    if any(not 0 <= n <= MAX_QUANTITY for n in players.values()):
        raise InvalidInput(COUNT_MESSAGE, max=MAX_QUANTITY)
    with action_transaction():
        booking, step = lock_and_check(
            booking_id, actor=actor, action=Action.CHANGE_QUANTITY, reason=reason, now=now
        )
        lines = list(booking.lines.select_related("service", "service_price").order_by("id"))
        first = lines[0] if lines else None
        if (
            first is None
            or first.service is None
            or any(ln.service_id != first.service_id for ln in lines)
            or first.service.kind != first.service.Kind.ROOM_SESSION
        ):
            raise NotARoomSession()
        service = first.service
        if first.starts_at <= now:
            raise InvalidInput(STARTED)
        # The game's categories on offer, and those the booking already has even if retired
        # since (`set_room_prices`): its players there may stay or go, no one new joins them.
        prices = {p.id: p for p in ServicePrice.objects.filter(service=service)}
        prices.update(
            (p.id, p)
            for p in ServicePrice.every.filter(id__in=[ln.service_price_id for ln in lines])
        )
        if any(price_id not in prices for price_id, n in players.items() if n):
            raise UnknownCategory()
        wanted = {price_id: n for price_id, n in players.items() if n}
        before = {ln.service_price_id: ln.quantity for ln in lines}
        if wanted == before:
            raise PlayersUnchanged()
        people = sum(wanted.values())
        if not service.min_participants <= people <= service.max_participants:
            raise PlayersOutOfRange(
                service=service.name,
                min=service.min_participants,
                max=service.max_participants,
            )
        _check_names(lines, wanted)
        kept = _apply(lines, wanted, prices)
        booking.total = sum((ln.amount for ln in kept), start=Decimal(0))
        return move(
            booking,
            step,
            actor=actor,
            now=now,
            reason=reason,
            data={"players": _words(before, prices), "to": _words(wanted, prices)},
        )


def _check_names(lines: list[BookingLine], wanted: dict[int, int]) -> None:
    named: dict[int, int] = {}
    for line in lines:
        named[line.id] = line.participants.count()
    for line in lines:
        quantity = wanted.get(line.service_price_id, 0)  # type: ignore[arg-type]
        if named[line.id] > quantity:
            raise PlayersNamed(
                named=named[line.id],
                category=line.service_price.name,  # type: ignore[union-attr]
                quantity=quantity,
            )


def _apply(
    lines: list[BookingLine], wanted: dict[int, int], prices: dict[int, ServicePrice]
) -> list[BookingLine]:
    """Rewrite the lines: resize, add, remove (the claim handed over first)."""
    by_price = {ln.service_price_id: ln for ln in lines}
    kept: list[BookingLine] = []
    for price_id, quantity in sorted(wanted.items()):
        line = by_price.get(price_id)
        if line is None:
            template = lines[0]
            price = prices[price_id]
            line = BookingLine.objects.create(
                booking_id=template.booking_id,
                service_id=template.service_id,
                service_price_id=price_id,
                resource_id=template.resource_id,
                starts_at=template.starts_at,
                ends_at=template.ends_at,
                quantity=quantity,
                unit_price=price.price,
                per_group=price.per_group,
            )
        elif line.quantity != quantity:
            line.quantity = quantity
            line.save(update_fields=["quantity"])
        kept.append(line)
    gone = [ln for ln in lines if ln.service_price_id not in wanted]
    for line in gone:
        claims.hand_over(line.id, kept[0].id)
    BookingLine.objects.filter(id__in=[ln.id for ln in gone]).delete()
    return kept


def _words(counts: dict[Any, int], prices: dict[int, ServicePrice]) -> dict[str, int]:
    return {prices[k].name if k in prices else str(k): n for k, n in counts.items()}
