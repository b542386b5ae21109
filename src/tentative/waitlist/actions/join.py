"""Join the waiting list of a full date (or ticket type) for one or more places.

Refused when the date has enough free places and nobody waits (book them instead), when the
same address already waits for it, when the date has started. The visitor becomes (or is
found as) a customer of the organisation by their address, so the offer, a real booking,
has someone to belong to. The "you are number N" email leaves through the outbox.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError
from django.utils.translation import gettext_lazy as _

from tentative.accounts.actions import CustomerData, create_customer
from tentative.accounts.models import Customer, Organisation
from tentative.bookings.offers import MAX_QUANTITY
from tentative.catalog.models import EventDate, TicketType
from tentative.outbox import events as outbox
from tentative.outbox import topics
from tentative.shared.actor import Actor, ActorKind, check_organisation
from tentative.shared.clock import now_or
from tentative.shared.errors import InvalidInput, NotFound
from tentative.shared.transactions import action_transaction, next_action_joins
from tentative.waitlist import selectors
from tentative.waitlist.actions._common import record
from tentative.waitlist.errors import AlreadyWaiting, DateStarted, PlacesAvailable
from tentative.waitlist.gate import OFFER_ACTOR
from tentative.waitlist.models import WaitlistEntry

NAME_MESSAGE = _("Please give your name.")
EMAIL_MESSAGE = _("Please give a valid email address.")
QUANTITY_MESSAGE = _("Ask for between 1 and %(max)s places.")
LANGUAGES = ("en", "fr", "es")


def join_waitlist(
    *,
    actor: Actor,
    organisation_id: int,
    event_date_id: int,
    ticket_type_id: int | None,
    name: str,
    email: str,
    quantity: int,
    accepts_partial: bool = False,
    language: str = "",
    now: datetime | None = None,
) -> WaitlistEntry:
    now = now_or(now)
    check_organisation(actor, organisation_id)
    organisation = Organisation.objects.get(id=organisation_id)
    name, email = name.strip(), email.strip().lower()
    _check_input(organisation, actor, name, email, quantity)
    date = _date(organisation_id, event_date_id, now)
    if (
        ticket_type_id is not None
        and not TicketType.objects.filter(id=ticket_type_id, event_id=date.event_id).exists()
    ):
        raise NotFound()
    _check_full(organisation_id, date, ticket_type_id, quantity, now)
    live = WaitlistEntry.objects.filter(
        event_date_id=date.id,
        ticket_type_id=ticket_type_id,
        email=email,
        state__in=WaitlistEntry.LIVE,
    )
    if live.exists():
        raise AlreadyWaiting()
    language = language if language in LANGUAGES else organisation.default_language
    try:
        with action_transaction():
            entry = WaitlistEntry.objects.create(
                organisation_id=organisation_id,
                event_date=date,
                ticket_type_id=ticket_type_id,
                customer=_customer(organisation_id, actor, name, email, language, now),
                name=name,
                email=email,
                language=language,
                quantity=quantity,
                accepts_partial=accepts_partial,
                state=WaitlistEntry.State.WAITING,
                created_at=now,
                updated_at=now,
            )
            record(entry, actor=actor, action="waitlist.join", at=now, from_state="")
            outbox.emit_for_organisation(
                organisation_id,
                topics.WAITLIST_JOINED,
                actor=actor,
                at=now,
                data={"entry": entry.id, "event_date": date.id},
            )
    except IntegrityError:  # the same address joined at the same moment
        raise AlreadyWaiting() from None
    return entry


def _check_input(
    organisation: Organisation, actor: Actor, name: str, email: str, quantity: int
) -> None:
    if not name or len(name) > 200:
        raise InvalidInput(NAME_MESSAGE)
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(EMAIL_MESSAGE) from None
    most = (
        MAX_QUANTITY if actor.kind == ActorKind.STAFF else organisation.public_max_places_per_order
    )
    if not 0 < quantity <= most:
        raise InvalidInput(QUANTITY_MESSAGE, max=most)


def _date(organisation_id: int, event_date_id: int, now: datetime) -> EventDate:
    date = (
        EventDate.objects.select_related("event")
        .filter(id=event_date_id, event__organisation_id=organisation_id)
        .first()
    )
    if date is None:
        raise NotFound()
    if date.starts_at <= now:
        raise DateStarted()
    return date


def _check_full(
    organisation_id: int, date: EventDate, ticket_type_id: int | None, quantity: int, now: datetime
) -> None:
    """A list is for a full date: with enough places free and nobody ahead, book instead."""
    if selectors.queue(date.id, ticket_type_id).exists():
        return
    ticket_type = selectors.ticket_type_for(date, ticket_type_id)
    if ticket_type is None:
        raise NotFound()
    try:
        free = selectors.free_places(organisation_id, date.id, ticket_type.id, now=now)
    except InvalidInput:
        return  # not on sale the usual way (inactive type): the list is the only way in
    if free >= quantity:
        raise PlacesAvailable()


def _customer(
    organisation_id: int, actor: Actor, name: str, email: str, language: str, now: datetime
) -> Customer:
    if actor.kind == ActorKind.CUSTOMER and actor.customer_id is not None:
        return Customer.objects.get(id=actor.customer_id, organisation_id=organisation_id)
    found = (
        Customer.objects.filter(organisation_id=organisation_id, email__iexact=email)
        .order_by("id")
        .first()
    )
    if found is not None:
        return found
    with next_action_joins():
        return create_customer(
            organisation_id,
            CustomerData(name=name, email=email, language=language),
            actor=OFFER_ACTOR,
            now=now,
        )
