"""The visitor leaves the waiting list (from their link). Someone holding an open offer
declines it instead (`decline_offer`): the page offers that."""

from __future__ import annotations

from datetime import datetime

from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction
from tentative.waitlist.access import entry_by_token
from tentative.waitlist.actions._common import record, visitor
from tentative.waitlist.errors import NotWaiting
from tentative.waitlist.models import WaitlistEntry


def leave_waitlist(token: str, *, now: datetime | None = None) -> WaitlistEntry:
    now = now_or(now)
    with action_transaction():
        entry = entry_by_token(token, lock=True)
        if entry.state == WaitlistEntry.State.LEFT:
            return entry  # a second click
        if entry.state != WaitlistEntry.State.WAITING:
            raise NotWaiting()
        entry.state = WaitlistEntry.State.LEFT
        entry.updated_at = now
        entry.save(update_fields=["state", "updated_at"])
        record(entry, actor=visitor(entry), action="waitlist.leave", at=now, from_state="waiting")
    return entry
