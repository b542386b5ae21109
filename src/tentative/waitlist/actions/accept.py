"""The visitor takes the offer (from the link in the offer email).

The offer is already an option holding the places; accepting says "I take them": the entry
is accepted and, when there is nothing to pay, the option is confirmed at once. When there
is something to pay, the face then opens the payments part's link for the option (the
payments app is a sibling of this one, so it cannot be called from here); the option stays
held until its deadline, and `settle` marks the entry lapsed if it is never paid.
"""

from __future__ import annotations

from datetime import datetime

from tentative.bookings.actions.confirm import confirm_booking
from tentative.core.deadlines import AtLimit, lapsed
from tentative.core.states import State
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction, next_action_joins
from tentative.waitlist.access import entry_by_token
from tentative.waitlist.actions._common import record, visitor
from tentative.waitlist.errors import NoOpenOffer, OfferLapsed
from tentative.waitlist.gate import OFFER_ACTOR
from tentative.waitlist.models import WaitlistEntry


def accept_offer(token: str, *, now: datetime | None = None) -> WaitlistEntry:
    now = now_or(now)
    with action_transaction():
        entry = entry_by_token(token, lock=True)
        if entry.state == WaitlistEntry.State.ACCEPTED:
            return entry  # a second click: nothing more to do
        if entry.state != WaitlistEntry.State.OFFERED or entry.offer is None:
            raise NoOpenOffer()
        booking = entry.offer
        if booking.state != State.OPTION or lapsed(
            booking.deadline_enforced, AtLimit(booking.at_limit), now
        ):
            raise OfferLapsed()
        source = entry.state
        entry.state = WaitlistEntry.State.ACCEPTED
        entry.updated_at = now
        entry.save(update_fields=["state", "updated_at"])
        record(entry, actor=visitor(entry), action="waitlist.accept", at=now, from_state=source)
        if booking.total <= 0:
            with next_action_joins():
                confirm_booking(booking.id, actor=OFFER_ACTOR, now=now)
    return entry
