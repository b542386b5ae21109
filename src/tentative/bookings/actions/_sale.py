"""Sale modes enforced by the engine (seed 001, docs/sales.md): a booking made where a
product is not for sale, or an option where it is not reservable, is refused here, in the
action, whatever page or API call asked.

Who is bound: every customer (signed in, or an anonymous visitor of the public pages), and
an integration that books through the API on a customer channel (`channel="web"` or
`"b2b"`: it acts as a shop). Staff in the back office (box office, phone, any channel)
keep what their role allows (core/permissions.py): they are where exceptions are made, and
the profile page shows them what a customer would see.

The audience is the signed-in customer's (`Actor.customer`); an anonymous visitor, or a
customer attached from an email typed into a public form, is the public: typing a school's
address must not give a school's rights.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from tentative.accounts.models import Customer, Organisation
from tentative.bookings.errors import NotForSale, NotReservable, OnlyReservable
from tentative.catalog.models import TicketType
from tentative.catalog.selectors import SaleModes, sale_modes, sale_rules
from tentative.core.sales import CUSTOMER_CHANNELS
from tentative.core.states import State
from tentative.shared.actor import Actor, ActorKind


def bound(actor: Actor, channel: str) -> bool:
    return actor.kind == ActorKind.CUSTOMER or (actor.via == "api" and channel in CUSTOMER_CHANNELS)


def modes_of(
    ticket_types: Iterable[TicketType],
    *,
    organisation: Organisation | int,
    channel: str,
    audience_id: int | None,
    now: datetime,
) -> list[tuple[TicketType, SaleModes]]:
    rules = sale_rules(organisation)
    return [
        (t, sale_modes(t, channel=channel, audience_id=audience_id, at=now, rules=rules))
        for t in ticket_types
    ]


def check_create(
    actor: Actor,
    mode: State,
    ticket_types: list[TicketType],
    *,
    organisation: Organisation,
    channel: str,
    audience_id: int | None,
    cart: bool,
    now: datetime,
) -> None:
    """`cart`: a public checkout hold, where the visitor has not chosen yet between buying
    and reserving (the checkout asks again, `check_choice`): only "offered at all" counts."""
    if not ticket_types or not bound(actor, channel):
        return
    for ticket_type, modes in modes_of(
        ticket_types,
        organisation=organisation,
        channel=channel,
        audience_id=audience_id,
        now=now,
    ):
        refuse(ticket_type.name, modes, None if cart else mode)


def check_choice(
    actor: Actor,
    choice: str,
    ticket_types: list[TicketType],
    *,
    organisation: Organisation,
    channel: str,
    now: datetime,
) -> None:
    """A checkout's "buy", "reserve" or "request", for the signed-in customer's audience or
    the public."""
    mode = {"buy": State.CONFIRMED, "reserve": State.OPTION, "request": State.REQUEST}[choice]
    audience_id = _audience_of(actor)
    for ticket_type, modes in modes_of(
        ticket_types,
        organisation=organisation,
        channel=channel,
        audience_id=audience_id,
        now=now,
    ):
        refuse(ticket_type.name, modes, mode)


def refuse(name: str, modes: SaleModes, mode: State | None) -> None:
    if not modes.offered:
        raise NotForSale(name=name)
    if mode == State.OPTION and not modes.reservable:
        raise NotReservable(name=name)
    if mode == State.CONFIRMED and not modes.for_sale:
        raise OnlyReservable(name=name)


def _audience_of(actor: Actor) -> int | None:
    if actor.kind != ActorKind.CUSTOMER or actor.customer_id is None:
        return None
    return (
        Customer.objects.filter(id=actor.customer_id, organisation_id=actor.organisation_id)
        .values_list("audience_id", flat=True)
        .first()
    )
