"""Give a visitor more time to complete a checkout hold (WCAG 2.2.1: a time limit the user
can extend), at most `MAX_EXTENSIONS` times, each by the organisation's hold minutes from
now. Through the engine: the booking's lock, its enforced limit moved, an audit entry."""

from __future__ import annotations

from datetime import datetime, timedelta

from tentative.audit import trail as audit
from tentative.bookings.actions.checkout import lock_hold
from tentative.bookings.errors import NoMoreTime
from tentative.bookings.models import Booking
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction

MAX_EXTENSIONS = 2


def extend_hold(token: str, *, actor: Actor, now: datetime | None = None) -> Booking:
    now = now_or(now)
    with action_transaction():
        booking = lock_hold(actor, token, now=now)
        if booking.checkout_extensions >= MAX_EXTENSIONS:
            raise NoMoreTime()
        previous = booking.deadline_enforced
        until = now + timedelta(minutes=booking.organisation.checkout_hold_minutes)
        first_start = min(line.starts_at for line in booking.lines.all())
        until = min(until, first_start)
        booking.deadline_shown = booking.deadline_enforced = until
        booking.checkout_extensions += 1
        booking.updated_at = now
        booking.save(
            update_fields=[
                "deadline_shown",
                "deadline_enforced",
                "checkout_extensions",
                "updated_at",
            ]
        )
        audit.record(
            booking,
            actor=actor,
            action="checkout.extend",
            at=now,
            from_state=booking.state,
            data={
                "previous": previous.isoformat() if previous else None,
                "until": until.isoformat(),
            },
        )
    return booking
