"""Submit a public checkout: the held places become what the visitor chose, in one action.

The hold (`hold.py`) is an option, or a request for a ticket type the organiser approves,
with no customer and a limit a few minutes away. Submitting, under the booking's lock and
while the hold is still live:

- attaches the customer (found by email in the organisation, else created), the language,
  the names per place and the answers to the event's questions (with each label as asked);
- checks the per-customer cap of open reservations and requests (no hoarding);
- sets the deadline of what it became: a *request* gets the request's deadline (staff
  decide; nothing is charged unless accepted), a *reservation* the ticket type's option
  rule ("held until …"), a *purchase* a short window to pay (the places stay held while
  the visitor is on the card page; the payment confirms it, `payments._confirm.settle`);
  a purchase of free tickets is confirmed at once;
- announces it (`booking.created`: the "request received" or "reservation" email, the
  webhooks): a hold was not announced, so nothing is said about carts never submitted.

The state does not change (a request stays a request, an option an option), so the state
machine needs no new transition; the audit entry says "checkout.submit". The token is
cleared: a second submission, or the same link later, finds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tentative.accounts.models import Customer
from tentative.audit import trail as audit
from tentative.bookings.actions import _sale
from tentative.bookings.actions._deadline import (
    option_deadline,
    pay_now_fields,
    request_deadline,
)
from tentative.bookings.actions._step import has_lapsed, move
from tentative.bookings.errors import HoldGone, HoldUnknown, NotReservable, TooManyOpen
from tentative.bookings.models import Booking, BookingLine, Participant
from tentative.core import states
from tentative.core.states import Action, State
from tentative.outbox import events as outbox
from tentative.outbox import topics
from tentative.shared.actor import Actor, check_organisation
from tentative.shared.clock import now_or
from tentative.shared.errors import InvalidInput
from tentative.shared.transactions import action_transaction

# A purchase keeps its places this long for the payment (the card page, a 3-D Secure step).
PAY_WINDOW = timedelta(minutes=30)
MODES = ("buy", "reserve", "request")

NAME_REQUIRED = _("Please give your name.")
EMAIL_REQUIRED = _("Please give a valid email address.")
LANGUAGE_UNKNOWN = _("Choose one of the languages offered.")
NAMES_REQUIRED = _("Please give a name for each of the %(count)s places.")
MODE_REFUSED = _("This choice is not available for these places.")


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    phone: str = ""
    language: str = ""


@dataclass(frozen=True)
class Submission:
    contact: Contact
    mode: str  # "buy", "reserve" or "request"
    names: tuple[str, ...] = ()
    # Question id (as text) -> {"label": the question as asked, "value": the answer}.
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)


def check_out(
    token: str, *, actor: Actor, submission: Submission, now: datetime | None = None
) -> Booking:
    now = now_or(now)
    contact = _clean_contact(submission.contact)
    if submission.mode not in MODES:
        raise InvalidInput(MODE_REFUSED, field="mode")
    with action_transaction():
        booking = lock_hold(actor, token, now=now)
        organisation = booking.organisation
        lines = list(booking.lines.select_related("ticket_type", "event_date__event"))
        _check_mode(booking, lines, submission.mode)
        _sale.check_choice(
            actor,
            submission.mode,
            [line.ticket_type for line in lines if line.ticket_type],
            organisation=organisation,
            channel=booking.channel,
            now=now,
        )
        names = _names(lines, submission.names)
        _check_open(booking, contact.email, now=now)
        customer = _customer(booking.organisation_id, contact)
        language = contact.language or booking.language
        offers = [(line.starts_at, line.ticket_type) for line in lines if line.ticket_type]
        source = booking.state
        if submission.mode == "request":
            deadline = request_deadline(organisation, offers, now=now, language=language)
        elif submission.mode == "reserve":
            deadline = option_deadline(organisation, offers, now=now, language=language)
        else:
            until = min(now + PAY_WINDOW, min(line.starts_at for line in lines))
            deadline = pay_now_fields(until, language=language)
        for name, value in deadline.items():
            setattr(booking, name, value)
        booking.customer = customer
        booking.language = language
        booking.checkout_token = None
        booking.checkout_mode = submission.mode
        booking.answers = dict(submission.answers)
        booking.updated_at = now
        booking.save()
        Participant.objects.bulk_create(Participant(line=line, name=name) for line, name in names)
        visitor = Actor.customer(customer, via="public")
        audit.record(
            booking,
            actor=visitor,
            action="checkout.submit",
            at=now,
            from_state=source,
            data={"mode": submission.mode, "answers": len(submission.answers)},
        )
        if submission.mode == "buy" and booking.total <= 0:
            # Nothing to pay: the purchase is firm at once (the system confirms it).
            step = states.transition(State.OPTION, Action.CONFIRM)
            return move(booking, step, actor=Actor.system("checkout"), now=now)
        if submission.mode != "buy":
            outbox.emit(booking, topics.BOOKING_CREATED, actor=visitor, at=now)
    return booking


def lock_hold(actor: Actor, token: str, *, now: datetime) -> Booking:
    if actor.organisation_id is None:
        raise HoldUnknown()
    check_organisation(actor, actor.organisation_id)
    if not token or len(token) > 64 or "\x00" in token:
        raise HoldUnknown()
    booking = (
        Booking.objects.select_for_update(no_key=True)
        .select_related("organisation")
        .filter(organisation_id=actor.organisation_id, checkout_token=token)
        .first()
    )
    if booking is None:
        raise HoldUnknown()
    if booking.state not in (State.OPTION, State.REQUEST) or has_lapsed(booking, now):
        raise HoldGone()
    return booking


def _clean_contact(contact: Contact) -> Contact:
    name = (contact.name or "").strip()
    if not name or len(name) > 200 or "\x00" in name:
        raise InvalidInput(NAME_REQUIRED, field="name")
    email = (contact.email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(EMAIL_REQUIRED, field="email") from None
    language = (contact.language or "").strip()
    if language and language not in {code for code, _name in settings.LANGUAGES}:
        raise InvalidInput(LANGUAGE_UNKNOWN, field="language")
    return Contact(
        name=name, email=email, phone=(contact.phone or "").strip()[:40], language=language
    )


def _check_mode(booking: Booking, lines: list[BookingLine], mode: str) -> None:
    if (mode == "request") != (booking.state == State.REQUEST):
        raise InvalidInput(MODE_REFUSED, field="mode")
    if mode == "reserve":
        for line in lines:
            if line.ticket_type and not line.ticket_type.reservable:
                raise NotReservable(name=line.ticket_type.name)


def _names(lines: list[BookingLine], names: tuple[str, ...]) -> list[tuple[BookingLine, str]]:
    """A name per place, on the lines in order, when the event asks for them."""
    places = [line for line in lines for _ in range(line.quantity)]
    asked = any(line.event_date and line.event_date.event.names_required for line in lines)
    cleaned = [n.strip()[:200] for n in names]
    if asked and (len(cleaned) != len(places) or not all(cleaned)):
        raise InvalidInput(NAMES_REQUIRED, field="names", count=len(places))
    if not asked:
        return []
    return list(zip(places, cleaned, strict=True))


def _check_open(booking: Booking, email: str, *, now: datetime) -> None:
    """At most `public_max_open_per_customer` reservations and requests waiting per email."""
    most = booking.organisation.public_max_open_per_customer
    waiting = (
        Booking.objects.filter(
            organisation_id=booking.organisation_id,
            customer__email__iexact=email,
            state__in=[State.OPTION.value, State.REQUEST.value],
        )
        .filter(Q(deadline_enforced__isnull=True) | Q(deadline_enforced__gt=now))
        .exclude(id=booking.id)
        .count()
    )
    if waiting >= most:
        raise TooManyOpen(count=waiting)


def _customer(organisation_id: int, contact: Contact) -> Customer:
    """The organisation's customer with this email, else a new one. An existing customer's
    details are not changed from a public form (anyone can type an address)."""
    found = (
        Customer.objects.filter(organisation_id=organisation_id, email__iexact=contact.email)
        .order_by("id")
        .first()
    )
    if found is not None:
        return found
    return Customer.objects.create(
        organisation_id=organisation_id,
        name=contact.name,
        email=contact.email,
        phone=contact.phone,
        language=contact.language,
    )
