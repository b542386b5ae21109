"""A visitor books a room session on the organisation's public pages (issue 14 item 8).

The customer-facing side of `book_session`, and the same path as a service's public page
(`request_appointment`) and the shop's *Buy*: one action, one transaction.

- The session must be one the room's schedule offers (not past, not on a closed day, at a
  time a rule gives: `book_session.session_service`); the players are counted per price
  category of that session's game (`UnknownCategory` for another's) and must be within the
  game's range (`PlayersOutOfRange`). Each refusal names the field it belongs to.
- The customer is found by email in the organisation, else created (never changed from a
  public form); the booking is theirs (`Actor.customer`, channel `web`).
- A game the organiser approves (`Service.needs_approval`) is a *request*: nothing is paid
  online, staff decide (the "request received" email). Otherwise the booking is a public
  *purchase*, as the shop's cart is: an option that claims the room at once, held
  `PAY_WINDOW` for the card payment and released by itself at that limit if the visitor
  leaves (invariant 6: the next visitor takes the session back before any sweep), not
  announced until the payment confirms it (the confirmation email then). A session that
  costs nothing is confirmed at once.
- The room's time claim is the database's rule: a session taken meanwhile is `SlotTaken`
  (409) and nothing is written, not even the customer.

No hoarding: at most `PUBLIC_HOLDS_PER_MINUTE` bookings a minute from one address (the
shop's hold counter) and `public_max_open_per_customer` open ones per email.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.utils import timezone

from tentative.bookings.actions._deadline import CheckoutHold
from tentative.bookings.actions._step import move
from tentative.bookings.actions.book_session import session_service
from tentative.bookings.actions.checkout import (
    PAY_WINDOW,
    Contact,
    _check_open,
    _clean_contact,
    _customer,
)
from tentative.bookings.actions.create import create_booking
from tentative.bookings.actions.hold import _count_attempt, address_key
from tentative.bookings.deadline_text import PAY_NOW, in_language
from tentative.bookings.errors import (
    NotASession,
    PlayersOutOfRange,
    SessionStarted,
    TooManyHolds,
    UnknownCategory,
)
from tentative.bookings.models import Booking, Channel
from tentative.bookings.offers import MAX_QUANTITY, SlotRequest
from tentative.core import states
from tentative.core.states import Action, State
from tentative.shared.actor import Actor, check_organisation
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction, next_action_joins


def book_session_online(
    *,
    actor: Actor,
    organisation_id: int,
    room_id: int,
    starts_at: datetime,
    players: dict[int, int],
    contact: Contact,
    address: str = "",
    now: datetime | None = None,
) -> Booking:
    """`players`: price category (`ServicePrice` id) → number of players; `address`: the
    client's, for the per-minute limit (kept only as a keyed hash)."""
    now = now_or(now)
    check_organisation(actor, organisation_id)
    contact = _clean_contact(contact)
    if timezone.is_naive(starts_at):
        raise NotASession(field="starts_at")
    if starts_at <= now:
        raise SessionStarted(field="starts_at")
    try:
        service = session_service(organisation_id, room_id, starts_at)
    except NotASession:
        raise NotASession(field="starts_at") from None
    categories = {price.id for price in service.prices.all()}
    wanted = {price_id: quantity for price_id, quantity in players.items() if quantity}
    if any(price_id not in categories for price_id in wanted):
        raise UnknownCategory(field="players")
    count = sum(wanted.values())
    if (
        any(not 0 < quantity <= MAX_QUANTITY for quantity in wanted.values())
        or not service.min_participants <= count <= service.max_participants
    ):
        raise PlayersOutOfRange(
            service=service.name,
            min=service.min_participants,
            max=service.max_participants,
            field="players",
        )
    if address and not _count_attempt(address_key(address), now=now):
        raise TooManyHolds()
    lines = [
        SlotRequest(service.id, room_id, starts_at, quantity, price_id)
        for price_id, quantity in sorted(wanted.items())
    ]
    request = service.needs_approval(starts_at, now)
    with action_transaction():
        customer = _customer(organisation_id, contact)
        visitor = Actor.customer(customer, via="public")
        with next_action_joins():
            booking = create_booking(
                actor=visitor,
                organisation_id=organisation_id,
                mode=State.REQUEST if request else State.OPTION,
                lines=lines,  # type: ignore[arg-type]
                channel=Channel.WEB,
                language=contact.language or None,
                # A purchase is a cart while the card is paid: held until the payment's
                # limit and released there, announced only once paid.
                checkout=None
                if request
                else CheckoutHold(
                    token=secrets.token_urlsafe(24),
                    until=min(now + PAY_WINDOW, starts_at),
                    rule=in_language(PAY_NOW, contact.language or "en"),
                    terms=PAY_NOW,
                ),
                now=now,
            )
        _check_open(booking, contact.email, now=now)
        booking.checkout_token = None  # nothing to come back to: the card page is next
        booking.checkout_mode = "request" if request else "buy"
        booking.save(update_fields=["checkout_token", "checkout_mode"])
        if not request and booking.total <= 0:
            # Nothing to pay: firm at once (the system confirms it, as a free checkout).
            step = states.transition(State.OPTION, Action.CONFIRM)
            booking = move(booking, step, actor=Actor.system("public booking"), now=now)
    return booking
