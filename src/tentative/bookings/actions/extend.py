"""Extend an option's (or a quote's) deadline to a new date chosen by staff.

The new date is the one shown; it is enforced as the booking's policy says
(`core.deadlines.extended`): at that date under the strict policy, after the same grace,
or never without staff, under the flexible one, with the same action at the limit.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from tentative.bookings.actions._step import lock_and_check, move, now_or
from tentative.bookings.models import Booking
from tentative.core import deadlines
from tentative.core.deadlines import AtLimit
from tentative.core.states import Action
from tentative.shared.actor import Actor
from tentative.shared.errors import InvalidInput
from tentative.shared.transactions import action_transaction

IN_THE_PAST = _("The new deadline must be in the future.")
AFTER_START = _("The new deadline must be before the event starts.")


def extend_booking(
    booking_id: int, *, actor: Actor, until: datetime, reason: str = "", now: datetime | None = None
) -> Booking:
    now = now_or(now)
    if until <= now:
        raise InvalidInput(IN_THE_PAST)
    with action_transaction():
        booking, step = lock_and_check(
            booking_id, actor=actor, action=Action.EXTEND, reason=reason, now=now
        )
        first_start = min(line.starts_at for line in booking.lines.all())
        if until > first_start:
            raise InvalidInput(AFTER_START)
        previous = booking.deadline_shown
        shown, enforced, at_limit = deadlines.extended(
            booking.deadline_shown, booking.deadline_enforced, AtLimit(booking.at_limit), until
        )
        booking.deadline_shown, booking.deadline_enforced = shown, enforced
        booking.at_limit = at_limit.value
        return move(
            booking,
            step,
            actor=actor,
            now=now,
            reason=reason,
            data={
                "previous": previous.isoformat() if previous else None,
                "until": until.isoformat(),
            },
        )
