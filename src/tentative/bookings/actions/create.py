"""Create a booking as a quote, a request, an option or a firm booking, of any offer kind.

The hot path of the product: a handful of statements, and the pool rows locked last and
briefly (inserts first, then the conditional updates, then commit). `offers.resolve` says
what each line is and consumes; this module only writes it down and takes it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from tentative import compiled
from tentative.accounts.models import Customer
from tentative.audit import trail as audit
from tentative.bookings import gates
from tentative.bookings.access import check_may
from tentative.bookings.actions import _sale
from tentative.bookings.actions._capacity import refuse_if_sold_out, refuse_if_taken, take
from tentative.bookings.actions._deadline import CheckoutHold, deadline_fields
from tentative.bookings.errors import NotReservable
from tentative.bookings.models import Booking, BookingLine, Channel, Participant
from tentative.bookings.offers import (
    AnyRequest,
    LineRequest,
    Offer,
    SlotRequest,
    SlotRules,
    resolve,
)
from tentative.catalog.models import OfferTerms, Service, TicketType
from tentative.core import states
from tentative.core.deadlines import AtLimit
from tentative.core.states import Action, State
from tentative.inventory.access import check_may_draw
from tentative.inventory.models import Hold, TimeClaim
from tentative.outbox import events as outbox
from tentative.outbox import topics
from tentative.shared.actor import Actor, ActorKind, check_organisation
from tentative.shared.clock import now_or
from tentative.shared.errors import InvalidInput, NotFound
from tentative.shared.transactions import action_transaction, at_the_end

__all__ = ["LineRequest", "SlotRequest", "create_booking"]

MODE_MESSAGE = _("A booking is created as a quote, a request, an option or a confirmed booking.")
PAID_MESSAGE = _("A confirmed booking needs a payment; reserve or request it instead.")
APPROVAL_MESSAGE = _("“%(name)s” must be approved by the organiser: send a request.")


def create_booking(
    *,
    actor: Actor,
    organisation_id: int,
    mode: State,
    lines: list[AnyRequest],
    customer_id: int | None = None,
    channel: str = Channel.WEB,
    language: str | None = None,
    note: str = "",
    checkout: CheckoutHold | None = None,
    notify: bool = True,
    now: datetime | None = None,
    limit: tuple[datetime, str] | None = None,
) -> Booking:
    """`checkout`: a public checkout hold (actions/hold.py): places held for a few minutes
    while the visitor fills the form, released by themselves at the limit. Such a hold is a
    cart, not a reservation: the ticket type need not be reservable, and nothing is
    announced (no email, no webhook) until the visitor submits (actions/checkout.py).
    `limit`: an option held until this moment (released there), with the rule as text,
    instead of the offer's deadline rule (a waiting list's offer).
    `notify` off: the customer is not emailed about it now (seed 004: "send the
    confirmation now" unticked); staff may send it later from the booking's emails."""
    now = now_or(now)
    check_organisation(actor, organisation_id)
    check_may(actor, Action.CREATE, None)
    try:
        states.transition(None, Action.CREATE, mode)
    except states.IllegalTransition:
        raise InvalidInput(MODE_MESSAGE) from None
    if actor.kind == ActorKind.CUSTOMER:
        if mode == State.CONFIRMED:
            raise InvalidInput(PAID_MESSAGE)
        customer_id = actor.customer_id
    check_may_draw(
        actor, organisation_id, (ln.reserve_id for ln in lines if isinstance(ln, LineRequest))
    )

    # A customer's booking, or any request (a customer's ask, whoever types it in), is held
    # to every rule of the service's times; staff fitting someone in skip notice, horizon
    # and the slot grid (offers.SlotRules).
    rules = (
        SlotRules.CUSTOMER
        if actor.kind == ActorKind.CUSTOMER or mode == State.REQUEST
        else SlotRules.STAFF
    )
    resolved = resolve(organisation_id, lines, now=now, rules=rules)
    organisation, offers = resolved.organisation, resolved.offers
    if actor.kind == ActorKind.CUSTOMER:
        _check_customer_mode(
            mode, [(offer.name, offer.terms) for offer in offers], cart=checkout is not None
        )
    if mode == State.REQUEST and _approval_waived(offers, now):
        mode = State.CONFIRMED  # "approval only below N hours' notice": early enough
    customer = _customer(organisation_id, customer_id)
    _sale.check_create(
        actor,
        mode,
        [offer.terms for offer in offers if isinstance(offer.terms, TicketType)],
        organisation=organisation,
        channel=channel,
        audience_id=customer.audience_id if customer else None,
        cart=checkout is not None,
        now=now,
    )
    language = language or (customer.language if customer else "") or organisation.default_language
    requests_hold = all(offer.terms.requests_hold_capacity for offer in offers)
    holds = states.takes_capacity(mode, requests_hold=requests_hold)
    if checkout is not None:
        deadline = checkout.deadline_fields()
    elif limit is not None and mode == State.OPTION:
        deadline = _set_limit(*limit)
    else:
        deadline = deadline_fields(
            mode,
            organisation,
            [(offer.starts_at, offer.terms) for offer in offers],
            now=now,
            language=language,
        )
    demand = [(pool_id, offer.quantity) for offer in offers for pool_id in offer.pools]
    if holds:
        gates.check(actor, resolved, now=now)  # the waiting list's places first
        refuse_if_sold_out(demand, resolved.free, now=now)
        refuse_if_taken((offer.claim for offer in offers if offer.claim), now=now)
    elif mode == State.REQUEST:
        # A request that holds nothing (*several clients may request the same slot*) takes
        # nothing, but asking for a time a live booking already holds (confirmed, an
        # option, an approved request) is refused as `SlotTaken`, like any booking: it
        # could never be approved. Other pending requests for that time do not stop it;
        # approving one re-checks under the resource's lock and declines the rivals.
        refuse_if_taken((offer.claim for offer in offers if offer.claim), now=now)

    with action_transaction():
        booking = Booking(
            organisation=organisation,
            customer=customer,
            channel=channel,
            language=language,
            state=mode.value,
            holds_capacity=holds,
            requests_hold=requests_hold,
            total=sum((offer.amount for offer in offers), start=Decimal(0)),
            currency=organisation.currency,
            note=note,
            checkout_token=checkout.token if checkout else None,
            created_at=now,
            updated_at=now,
            **deadline,
        )
        compiled.insert([booking])
        booking_lines = [_line(booking, offer) for offer in offers]
        compiled.insert(booking_lines)
        compiled.insert(
            [
                Participant(line=booking_line, name=name, email=email)
                for booking_line, offer in zip(booking_lines, offers, strict=True)
                for name, email in offer.request.participants
            ]
        )
        compiled.insert(
            [
                Hold(line=booking_line, pool_id=pool_id, quantity=offer.quantity)
                for booking_line, offer in zip(booking_lines, offers, strict=True)
                for pool_id in offer.pools
            ]
        )
        claims = [
            TimeClaim(
                line=booking_line,
                resource_id=offer.claim.resource_id,
                starts_at=offer.claim.starts_at,
                ends_at=offer.claim.ends_at,
            )
            for booking_line, offer in zip(booking_lines, offers, strict=True)
            if offer.claim is not None
        ]
        compiled.insert(claims)
        audit.record(booking, actor=actor, action=Action.CREATE.value, at=now)
        if checkout is None:
            outbox.emit(
                booking,
                topics.BOOKING_CREATED,
                actor=actor,
                at=now,
                data=None if notify else {"notify": False},
            )
        if holds:
            # Last before COMMIT, so the pool rows stay locked for one UPDATE and the commit.
            at_the_end(lambda: take(demand, claims, now=now))
    # Hand the lines back as if prefetched: the caller renders them without another query.
    booking._prefetched_objects_cache = {"lines": booking_lines}  # type: ignore[attr-defined]
    return booking


def _line(booking: Booking, offer: Offer) -> BookingLine:
    return BookingLine(
        booking=booking,
        starts_at=offer.starts_at,
        ends_at=offer.ends_at,
        quantity=offer.quantity,
        unit_price=offer.unit_price,
        **offer.line_fields,
    )


def _set_limit(until: datetime, rule: str) -> dict[str, object]:
    return {
        "deadline_shown": until,
        "deadline_enforced": until,
        "at_limit": AtLimit.RELEASE.value,
        "deadline_rule": rule,
    }


def _check_customer_mode(
    mode: State, offers: list[tuple[str, OfferTerms]], *, cart: bool = False
) -> None:
    for name, terms in offers:
        if terms.requires_approval and mode != State.REQUEST:
            raise InvalidInput(APPROVAL_MESSAGE, name=name)
        if mode == State.OPTION and not terms.reservable and not cart:
            raise NotReservable(name=name)


def _approval_waived(offers: list[Offer], now: datetime) -> bool:
    """A request for services that need approval only at short notice, made early enough
    for none of them to need it (issue 13): it is confirmed at once."""
    services = [o for o in offers if isinstance(o.terms, Service)]
    return (
        len(services) == len(offers)
        and any(o.terms.approval_below_hours is not None for o in services)  # type: ignore[attr-defined]
        and not any(o.terms.needs_approval(o.starts_at, now) for o in services)  # type: ignore[attr-defined]
    )


def _customer(organisation_id: int, customer_id: int | None) -> Customer | None:
    if customer_id is None:
        return None
    try:
        return Customer.objects.get(id=customer_id, organisation_id=organisation_id)
    except Customer.DoesNotExist:
        raise NotFound() from None
