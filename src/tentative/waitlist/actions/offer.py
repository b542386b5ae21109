"""Offer places to one waiting entry: a real option on the engine, held until a deadline.

Called by the worker's pass for the next entry in line (`offer_freed`), or by staff from
the date's waiting list. The option is made by the bookings create action (joined to this
transaction), for the entry's customer, with the places that are free up to what the entry
wants (fewer only when it accepts part), held `WAITLIST_OFFER_HOURS` and at most until the
date starts, released at that limit. The engine's take is the judge: if the places went
meanwhile, the create refuses (`SoldOut`) and nothing here is written. The offer email
with the entry's link leaves through the outbox.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext, override

from tentative.bookings.actions.create import create_booking
from tentative.bookings.models import Channel
from tentative.bookings.offers import LineRequest
from tentative.core.states import State
from tentative.outbox import events as outbox
from tentative.outbox import topics
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.errors import NotFound
from tentative.shared.transactions import action_transaction, next_action_joins
from tentative.waitlist import selectors
from tentative.waitlist.access import access_entry, check_may_manage
from tentative.waitlist.actions._common import record
from tentative.waitlist.errors import DateStarted, NotEnoughPlaces, NotWaiting
from tentative.waitlist.models import WaitlistEntry


def offer_entry(entry_id: int, *, actor: Actor, now: datetime | None = None) -> WaitlistEntry:
    now = now_or(now)
    check_may_manage(actor)
    with action_transaction():
        entry = access_entry(actor, entry_id, lock=True)
        if entry.state != WaitlistEntry.State.WAITING:
            raise NotWaiting()
        date = entry.event_date
        if date.starts_at <= now:
            raise DateStarted()
        ticket_type = selectors.ticket_type_for(date, entry.ticket_type_id)
        if ticket_type is None:
            raise NotFound()
        free = selectors.free_places(entry.organisation_id, date.id, ticket_type.id, now=now)
        if free >= entry.quantity:
            quantity = entry.quantity
        elif entry.accepts_partial and free > 0:
            quantity = free
        else:
            raise NotEnoughPlaces(free=free)
        hours = settings.WAITLIST_OFFER_HOURS
        until = min(now + timedelta(hours=hours), date.starts_at)
        with override(entry.language):
            rule = gettext("offer from the waiting list, held %(hours)s hours") % {"hours": hours}
        with next_action_joins():
            booking = create_booking(
                actor=actor,
                organisation_id=entry.organisation_id,
                mode=State.OPTION,
                lines=[LineRequest(date.id, ticket_type.id, quantity)],
                customer_id=entry.customer_id,
                channel=Channel.WEB,
                language=entry.language,
                now=now,
                limit=(until, rule),
            )
        source = entry.state
        entry.state = WaitlistEntry.State.OFFERED
        entry.offer = booking
        entry.offered_quantity = quantity
        entry.offered_at = entry.updated_at = now
        entry.save()
        record(entry, actor=actor, action="waitlist.offer", at=now, from_state=source)
        outbox.emit(
            booking,
            topics.WAITLIST_OFFERED,
            actor=actor,
            at=now,
            data={
                "entry": entry.id,
                "url": selectors.entry_url(entry),
                "expires_at": until.isoformat(),
                "quantity": quantity,
                "wanted": entry.quantity,
            },
        )
    return entry
