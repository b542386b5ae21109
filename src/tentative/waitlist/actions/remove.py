"""Staff remove an entry from a date's waiting list (a duplicate, a request by phone). An
open offer is withdrawn with it: its option is cancelled and the places are free again."""

from __future__ import annotations

from datetime import datetime

from tentative.bookings.actions.cancel import cancel_booking
from tentative.core.states import State
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction, next_action_joins
from tentative.waitlist.access import access_entry, check_may_manage
from tentative.waitlist.actions._common import record
from tentative.waitlist.errors import NotWaiting
from tentative.waitlist.models import WaitlistEntry


def remove_entry(
    entry_id: int, *, actor: Actor, reason: str = "", now: datetime | None = None
) -> WaitlistEntry:
    now = now_or(now)
    check_may_manage(actor)
    with action_transaction():
        entry = access_entry(actor, entry_id, lock=True)
        if entry.state not in WaitlistEntry.LIVE:
            raise NotWaiting()
        if entry.offer is not None and entry.offer.state == State.OPTION:
            with next_action_joins():
                cancel_booking(entry.offer_id, actor=actor, reason=reason, now=now)
        source = entry.state
        entry.state = WaitlistEntry.State.REMOVED
        entry.updated_at = now
        entry.save(update_fields=["state", "updated_at"])
        record(
            entry, actor=actor, action="waitlist.remove", at=now, from_state=source, reason=reason
        )
    return entry
