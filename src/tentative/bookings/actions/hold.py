"""Hold places for a visitor of the public pages while they fill the checkout form.

The hold is a real booking on the engine (issue 12 item 3): an option (or, for a ticket
type the organiser approves, a request) with no customer yet, a secret checkout token,
and an enforced limit `organisation.checkout_hold_minutes` away whose action is "release".
So an abandoned form needs nobody: past the limit the places are free for the next
visitor at once (invariant 6, `_capacity.take` reclaims them) and the sweep expires it.

No hoarding (item 6), checked here and not only in the page: at most
`public_max_places_per_order` places per hold, and at most `PUBLIC_HOLDS_PER_MINUTE` holds
per minute from one address, counted in a table (`HoldAttempt`) so that every app server
sees the same count. The per-customer cap needs the visitor's email: `checkout.py`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings

from tentative.accounts.models import Organisation
from tentative.bookings.actions._deadline import CheckoutHold
from tentative.bookings.actions.create import LineRequest, create_booking
from tentative.bookings.errors import TooManyHolds, TooManyPlaces
from tentative.bookings.models import Booking, Channel, HoldAttempt
from tentative.core.states import State
from tentative.shared.actor import Actor, check_organisation
from tentative.shared.clock import now_or
from tentative.shared.errors import NotFound
from tentative.shared.transactions import action_transaction

RATE_WINDOW = timedelta(minutes=1)


def address_key(address: str) -> str:
    """The rate limit's key: a keyed hash of the client's address, never the address."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"hold:{address}".encode(), hashlib.sha256
    ).hexdigest()


def hold_places(
    *,
    actor: Actor,
    organisation_id: int,
    event_date_id: int,
    ticket_type_id: int,
    quantity: int,
    request: bool,
    address: str,
    language: str = "",
    now: datetime | None = None,
) -> Booking:
    """`request`: the ticket type needs the organiser's approval (the hold is a request)."""
    now = now_or(now)
    check_organisation(actor, organisation_id)
    organisation = Organisation.objects.filter(id=organisation_id).first()
    if organisation is None:
        raise NotFound()
    most = organisation.public_max_places_per_order
    if not 0 < quantity <= most:
        raise TooManyPlaces(max=most)
    if not _count_attempt(address_key(address), now=now):
        raise TooManyHolds()
    return create_booking(
        actor=actor,
        organisation_id=organisation_id,
        mode=State.REQUEST if request else State.OPTION,
        lines=[LineRequest(event_date_id, ticket_type_id, quantity)],
        channel=Channel.WEB,
        language=language or None,
        checkout=CheckoutHold(
            token=secrets.token_urlsafe(24),
            until=now + timedelta(minutes=organisation.checkout_hold_minutes),
        ),
        now=now,
    )


def _count_attempt(key: str, *, now: datetime) -> bool:
    """Record one attempt unless the address used up its window: its own transaction, so a
    hold refused later (sold out) still counted."""
    with action_transaction():
        recent = HoldAttempt.objects.filter(key=key, at__gt=now - RATE_WINDOW)
        if recent.count() >= settings.PUBLIC_HOLDS_PER_MINUTE:
            return False
        HoldAttempt.objects.filter(key=key, at__lte=now - RATE_WINDOW).delete()
        HoldAttempt.objects.create(key=key, at=now)
    return True
