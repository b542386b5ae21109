"""The first half of the worker's pass: bring entries in line with their offer's booking.

An offer is an option on the engine, so it ends the engine's way: it expires at its limit
(the deadline sweep, or a reclaim), staff cancel it, or it is paid and confirmed. Rather
than hooking into every booking action, this reads the state of the offers still open and
moves their entries, each with a conditional update (two workers never move one twice):

- the option expired, or was cancelled or declined → the entry **lapsed** (its places are
  free again, and the second half of the pass offers them to the next entry);
- the option was confirmed (paid, or confirmed by staff) → the entry **accepted**.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from tentative import compiled
from tentative.audit.trail import new_entry
from tentative.core.states import State
from tentative.waitlist.gate import OFFER_ACTOR
from tentative.waitlist.models import WaitlistEntry

ENDED = (State.EXPIRED, State.CANCELLED, State.DECLINED)
OPEN = (WaitlistEntry.State.OFFERED, WaitlistEntry.State.ACCEPTED)


def settle_offers(*, now: datetime, limit: int = 200) -> int:
    """Returns how many entries moved."""
    rows = list(
        WaitlistEntry.objects.filter(state__in=OPEN)
        .filter(offer__state__in=[*ENDED, State.CONFIRMED])
        .exclude(state=WaitlistEntry.State.ACCEPTED, offer__state=State.CONFIRMED)
        .values_list("id", "state", "offer__state")[:limit]
    )
    moved = 0
    for entry_id, state, booking_state in rows:
        target = (
            WaitlistEntry.State.ACCEPTED
            if booking_state == State.CONFIRMED
            else WaitlistEntry.State.LAPSED
        )
        with transaction.atomic():
            if (
                WaitlistEntry.objects.filter(id=entry_id, state=state).update(
                    state=target, updated_at=now
                )
                != 1
            ):
                continue
            entry = WaitlistEntry.objects.get(id=entry_id)
            compiled.insert(
                [
                    new_entry(
                        entry.organisation_id,
                        booking=entry.offer,
                        actor=OFFER_ACTOR,
                        action="waitlist.lapse"
                        if target == WaitlistEntry.State.LAPSED
                        else "waitlist.accept",
                        at=now,
                        data={
                            "entry": entry.id,
                            "event_date": entry.event_date_id,
                            "offered": entry.offered_quantity,
                            "from": state,
                            "to": target,
                        },
                    )
                ]
            )
        moved += 1
    return moved
