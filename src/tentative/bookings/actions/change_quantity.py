"""Change the number of places or players on one line (seed 004 "change the number of
players"); the booking's total follows.

Fewer never needs capacity: the difference goes back to its pools at once. More is checked
like a new booking: the extra places are taken last before COMMIT with the same conditional
update (and inline reclaim), so the change is refused with SoldOut rather than oversell. A
timed line holds its slot whatever the count, within the service's participant range.
What the change means for money (an overpayment to refund or turn into a coupon, a balance
due) is the payments' business: they read the new total.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from tentative.bookings.actions._capacity import take_places
from tentative.bookings.actions._step import lock_and_check, move, now_or
from tentative.bookings.models import Booking
from tentative.bookings.offers import MAX_QUANTITY, QUANTITY_MESSAGE, check_slot
from tentative.catalog.messages import STARTED
from tentative.core.states import Action
from tentative.inventory import capacity
from tentative.inventory.models import Hold
from tentative.shared.actor import Actor
from tentative.shared.errors import InvalidInput, NotFound
from tentative.shared.transactions import action_transaction, at_the_end

UNCHANGED = _("The line already has %(quantity)s.")
NAMED = _("This line names %(named)s participants: remove some before lowering it to %(quantity)s.")


def change_quantity(
    booking_id: int,
    *,
    actor: Actor,
    line_id: int,
    quantity: int,
    reason: str = "",
    now: datetime | None = None,
) -> Booking:
    now = now_or(now)
    if not 0 < quantity <= MAX_QUANTITY:
        raise InvalidInput(QUANTITY_MESSAGE, max=MAX_QUANTITY)
    with action_transaction():
        booking, step = lock_and_check(
            booking_id, actor=actor, action=Action.CHANGE_QUANTITY, reason=reason, now=now
        )
        lines = {line.id: line for line in booking.lines.select_related("service")}
        line = lines.get(line_id)
        if line is None:
            raise NotFound()
        if line.starts_at <= now:
            raise InvalidInput(STARTED)
        before = line.quantity
        if quantity == before:
            raise InvalidInput(UNCHANGED, quantity=quantity)
        named = line.participants.count()
        if named > quantity:
            raise InvalidInput(NAMED, named=named, quantity=quantity)
        line.quantity = quantity
        if line.service is not None:
            check_slot(
                line.service, [ln for ln in lines.values() if ln.service_id == line.service_id]
            )
        line.save(update_fields=["quantity"])
        holds = Hold.objects.filter(line=line)
        pools = list(holds.values_list("pool_id", flat=True))
        holds.update(quantity=F("quantity") + (quantity - before))
        if booking.holds_capacity and quantity < before:
            capacity.give_back([(pool_id, before - quantity) for pool_id in pools])
        elif booking.holds_capacity:
            extra = [(pool_id, quantity - before) for pool_id in pools]
            at_the_end(lambda: take_places(extra, now=now))
        booking.total = sum((ln.amount for ln in lines.values()), start=Decimal(0))
        return move(
            booking,
            step,
            actor=actor,
            now=now,
            reason=reason,
            data={"line": line.id, "from": before, "to": quantity},
        )
