"""The visitor declines the offer: its option is cancelled (the places are free again) and
the next entry in line gets them on the worker's next pass."""

from __future__ import annotations

from datetime import datetime

from tentative.bookings.actions.cancel import cancel_booking
from tentative.core.states import State
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction, next_action_joins
from tentative.waitlist.access import entry_by_token
from tentative.waitlist.actions._common import record, visitor
from tentative.waitlist.errors import NoOpenOffer
from tentative.waitlist.models import WaitlistEntry


def decline_offer(token: str, *, now: datetime | None = None) -> WaitlistEntry:
    now = now_or(now)
    with action_transaction():
        entry = entry_by_token(token, lock=True)
        if entry.state != WaitlistEntry.State.OFFERED or entry.offer is None:
            raise NoOpenOffer()
        actor = visitor(entry)
        if entry.offer.state == State.OPTION:
            with next_action_joins():
                cancel_booking(
                    entry.offer_id, actor=actor, reason="declined the waiting list offer", now=now
                )
        source = entry.state
        entry.state = WaitlistEntry.State.DECLINED
        entry.updated_at = now
        entry.save(update_fields=["state", "updated_at"])
        record(entry, actor=actor, action="waitlist.decline", at=now, from_state=source)
    return entry
