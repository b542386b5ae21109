"""Book a room session from the planning (seed 004 "créer une réservation"): the customer
(chosen, or created on the spot), the players per price category, the type — FIRM blocks
the session, QUOTE does not, OPTION blocks until its deadline (the game's "days to pay",
`deadline_days_after_booking`) — and whether the confirmation is sent now.

One transaction for all of it: a customer created here is created only if the booking is
(`next_action_joins`), so a refused booking (the session was just taken, too many players)
leaves nothing behind. The players become one `SlotRequest` per category for the same slot,
which `create_booking` claims once; the session must be one the room's schedule offers.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tentative.accounts.actions import CustomerData, create_customer
from tentative.accounts.models import Organisation
from tentative.bookings.actions.create import create_booking
from tentative.bookings.errors import NotASession, PlayersOutOfRange, SellsPlaces
from tentative.bookings.models import Booking, Channel
from tentative.bookings.offers import SlotRequest
from tentative.catalog.models import Service
from tentative.catalog.selectors import room_schedules
from tentative.core.states import State
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.errors import InvalidInput, NotFound
from tentative.shared.transactions import action_transaction, next_action_joins

SESSION_MODES = (State.CONFIRMED, State.QUOTE, State.OPTION)
MODE_MESSAGE = _("A session is booked firm, as a quote or as an option.")


def book_session(
    *,
    actor: Actor,
    organisation_id: int,
    room_id: int,
    starts_at: datetime,
    players: dict[int, int],
    mode: State,
    customer_id: int | None = None,
    new_customer: CustomerData | None = None,
    notify: bool = True,
    channel: str = Channel.PHONE,
    note: str = "",
    now: datetime | None = None,
) -> Booking:
    now = now_or(now)
    if mode not in SESSION_MODES:
        raise InvalidInput(MODE_MESSAGE)
    service = session_service(organisation_id, room_id, starts_at)
    lines = [
        SlotRequest(service.id, room_id, starts_at, quantity, price_id)
        for price_id, quantity in sorted(players.items())
        if quantity
    ]
    if not service.min_participants <= sum(r.quantity for r in lines) <= service.max_participants:
        raise PlayersOutOfRange(
            service=service.name,
            min=service.min_participants,
            max=service.max_participants,
        )
    with action_transaction():
        if new_customer is not None:
            with next_action_joins():
                customer_id = create_customer(
                    organisation_id, new_customer, actor=actor, now=now
                ).id
        with next_action_joins():
            return create_booking(
                actor=actor,
                organisation_id=organisation_id,
                mode=mode,
                lines=lines,  # type: ignore[arg-type]
                customer_id=customer_id,
                channel=channel,
                note=note,
                notify=notify,
                now=now,
            )


def session_service(organisation_id: int, room_id: int, starts_at: datetime) -> Service:
    """The game the room's schedule sells at `starts_at`, or a refusal."""
    if timezone.is_naive(starts_at):
        raise NotASession()
    zone = Organisation.objects.only("time_zone").get(id=organisation_id).zone
    day = starts_at.astimezone(zone).date()
    schedules = room_schedules(organisation_id, first=day, last=day, zone=zone, room_ids=[room_id])
    if not schedules:
        raise NotFound()
    for session in schedules[0].sessions:
        if session.starts_at == starts_at:
            if session.service.places_per_session is not None:
                raise SellsPlaces()
            return session.service
    raise NotASession()
