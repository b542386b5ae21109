"""What a booking line books, and what it consumes: the one module that knows offer kinds.

Every action goes through here instead of asking "is this a ticket or an appointment?":
`resolve` turns what a caller asks for (a `LineRequest` for a ticket type on a date, a
`SlotRequest` for a service delivered by a resource from a start time) into `Offer`s, which
say the same things whatever the kind: the terms that drive the lifecycle (approval, whether
a request holds, reservable, deadline rule), the price, the time, the pools it consumes
places in, and the claim it makes on a resource's time. Create, move and change_quantity
read offers; approve, confirm, cancel… never need to know the kind at all, because what a
line consumed is recorded beside it (`Hold`, `TimeClaim`).

Appointments and room sessions are both timed offers: the players of one room session are
one `SlotRequest` per price category for the same slot; the slot is claimed once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tentative import compiled
from tentative.accounts.models import Organisation
from tentative.bookings.models import line_amount
from tentative.catalog.messages import NOT_ON_SALE_MESSAGE, STARTED
from tentative.catalog.models import (
    EventDate,
    OfferTerms,
    Resource,
    Service,
    ServicePrice,
    TicketType,
)
from tentative.inventory import capacity, reserves
from tentative.shared.errors import InvalidInput, NotFound

MAX_QUANTITY = 1000

LINES_MESSAGE = _("A booking needs at least one line.")
QUANTITY_MESSAGE = _("Each quantity must be between 1 and %(max)s.")
DUPLICATE_MESSAGE = _("The same ticket type and date appear twice; put them on one line.")
NAIVE_MESSAGE = _("A start time needs its time zone (for example 2027-03-01T10:00:00+01:00).")
NOT_DELIVERED_MESSAGE = _("%(resource)s does not offer “%(service)s”.")
PARTICIPANTS_MESSAGE = _("“%(service)s” takes between %(min)s and %(max)s people per booking.")
ONE_SLOT_MESSAGE = _("A booking of “%(service)s” takes one time and one staff member or room.")


@dataclass(frozen=True)
class LineRequest:
    """Places of a ticket type on an event date."""

    event_date_id: int
    ticket_type_id: int
    quantity: int
    participants: tuple[tuple[str, str], ...] = field(default=())  # (name, email)
    # Book from this capacity reserve (staff with access) instead of general sale.
    reserve_id: int | None = None


@dataclass(frozen=True)
class SlotRequest:
    """A service delivered by a resource (a staff member, a room) from `starts_at`:
    `quantity` people at one price (players of one price category in a room session)."""

    service_id: int
    resource_id: int
    starts_at: datetime
    quantity: int = 1
    price_id: int | None = None  # None: the service's first price
    participants: tuple[tuple[str, str], ...] = field(default=())


AnyRequest = LineRequest | SlotRequest


@dataclass(frozen=True)
class Claim:
    """A resource's time, buffers included."""

    resource_id: int
    starts_at: datetime
    ends_at: datetime


@dataclass
class Offer:
    """One resolved line: what it is, what it costs, when, and what it consumes."""

    request: AnyRequest
    terms: OfferTerms
    name: str
    unit_price: Decimal
    starts_at: datetime
    ends_at: datetime
    pools: list[int]  # places: one entry per pool, each takes `quantity`
    claim: Claim | None  # time: on the first line of a slot only
    line_fields: dict[str, Any]  # what the BookingLine records about the offer

    @property
    def quantity(self) -> int:
        return self.request.quantity

    @property
    def amount(self) -> Decimal:
        return line_amount(
            self.unit_price, self.quantity, per_group=self.line_fields.get("per_group", False)
        )


@dataclass
class Resolved:
    organisation: Organisation
    offers: list[Offer]
    free: dict[int, int]  # each pool's free places when read


def resolve(organisation_id: int, requests: Sequence[AnyRequest], *, now: datetime) -> Resolved:
    """Check and price every line, and say what each consumes. Tickets cost two compiled
    queries (the booking hot path); timed lines a few more, only when there are some."""
    check_shape(requests)
    tickets = [r for r in requests if isinstance(r, LineRequest)]
    slots = [r for r in requests if isinstance(r, SlotRequest)]
    offers: dict[AnyRequest, Offer] = {}
    free: dict[int, int] = {}
    organisation = None
    if tickets:
        organisation, ticket_offers, free = _tickets(organisation_id, tickets, now)
        offers.update(ticket_offers)
    if slots:
        organisation, slot_offers = _slots(organisation_id, slots, now)
        offers.update(slot_offers)
    assert organisation is not None
    return Resolved(organisation, [offers[r] for r in requests], free)


def check_shape(requests: Sequence[AnyRequest]) -> None:
    if not requests:
        raise InvalidInput(LINES_MESSAGE)
    for request in requests:
        if not 0 < request.quantity <= MAX_QUANTITY:
            raise InvalidInput(QUANTITY_MESSAGE, max=MAX_QUANTITY)
        if isinstance(request, SlotRequest) and timezone.is_naive(request.starts_at):
            raise InvalidInput(NAIVE_MESSAGE)
    if len({_key(r) for r in requests}) != len(requests):
        raise InvalidInput(DUPLICATE_MESSAGE)


def _key(request: AnyRequest) -> tuple[Any, ...]:
    if isinstance(request, LineRequest):
        return ("ticket", request.event_date_id, request.ticket_type_id, request.reserve_id)
    return ("slot", request.service_id, request.price_id)


def _tickets(
    organisation_id: int, lines: list[LineRequest], now: datetime
) -> tuple[Organisation, dict[AnyRequest, Offer], dict[int, int]]:
    """Ticket types with their event and organisation, then every pool of the dates with
    their times: two queries, both compiled once. Each line picks its pools in
    `reserves.line_pools`: its date's pool and, where set, its ticket type's quota (or, for
    a draw, the reserve's)."""
    wanted = sorted({line.ticket_type_id for line in lines})
    types = {t.id: t for t in compiled.read_by_ids(TicketType, wanted, "event", "organisation")}
    rows = capacity.pools_of_dates(line.event_date_id for line in lines)
    offers: dict[AnyRequest, Offer] = {}
    for line in lines:
        ticket_type = types.get(line.ticket_type_id)
        mine = [p for p in rows if p.event_date_id == line.event_date_id]
        if (
            ticket_type is None
            or ticket_type.event.organisation_id != organisation_id
            or (mine and mine[0].event_id != ticket_type.event_id)
        ):
            raise NotFound()
        if not mine:
            # Only on this rare path: tell an unknown date from one that is not on sale.
            if not EventDate.objects.filter(
                id=line.event_date_id, event=ticket_type.event
            ).exists():
                raise NotFound()
            raise InvalidInput(NOT_ON_SALE_MESSAGE)
        starts_at, ends_at = mine[0].starts_at, mine[0].ends_at
        if starts_at <= now:
            raise InvalidInput(STARTED)
        pools = reserves.line_pools(line.ticket_type_id, line.reserve_id, mine)
        if not pools:
            raise InvalidInput(NOT_ON_SALE_MESSAGE)
        offers[line] = Offer(
            request=line,
            terms=ticket_type,
            name=ticket_type.name,
            unit_price=ticket_type.price,
            starts_at=starts_at,
            ends_at=ends_at,
            pools=pools,
            claim=None,
            line_fields={
                "event_date_id": line.event_date_id,
                "ticket_type_id": line.ticket_type_id,
            },
        )
    free = {pool.id: pool.free for pool in rows}
    return ticket_type.event.organisation, offers, free


def _slots(
    organisation_id: int, slots: list[SlotRequest], now: datetime
) -> tuple[Organisation, dict[AnyRequest, Offer]]:
    """Services, their prices, the resources and who delivers what: four small queries."""
    services = {
        s.id: s
        for s in compiled.read_by_ids(
            Service, sorted({r.service_id for r in slots}), "organisation"
        )
        if s.organisation_id == organisation_id
    }
    prices: dict[int, list[ServicePrice]] = defaultdict(list)
    for price in ServicePrice.objects.filter(service_id__in=list(services)).order_by("id"):
        prices[price.service_id].append(price)
    resources = Resource.objects.in_bulk(
        [r.resource_id for r in slots], field_name="id"
    )  # organisation checked below
    delivers = set(
        Service.resources.through.objects.filter(
            service_id__in=list(services), resource_id__in=list(resources)
        ).values_list("service_id", "resource_id")
    )
    by_service: dict[int, list[SlotRequest]] = defaultdict(list)
    offers: dict[AnyRequest, Offer] = {}
    for request in slots:
        service = services.get(request.service_id)
        resource = resources.get(request.resource_id)
        price = _price(prices[request.service_id], request.price_id)
        if (
            service is None
            or price is None
            or resource is None
            or resource.organisation_id != organisation_id
            or resource.archived_at is not None
        ):
            raise NotFound()
        if (service.id, resource.id) not in delivers:
            raise InvalidInput(NOT_DELIVERED_MESSAGE, resource=resource.name, service=service.name)
        if request.starts_at <= now:
            raise InvalidInput(STARTED)
        by_service[service.id].append(request)
        first = len(by_service[service.id]) == 1
        ends_at = request.starts_at + service.duration
        offers[request] = Offer(
            request=request,
            terms=service,
            name=service.name,
            unit_price=price.price,
            starts_at=request.starts_at,
            ends_at=ends_at,
            pools=[],
            claim=claim_of(service, resource.id, request.starts_at) if first else None,
            line_fields={
                "service_id": service.id,
                "service_price_id": price.id,
                "resource_id": resource.id,
                "per_group": price.per_group,
            },
        )
    for service_id, requests in by_service.items():
        check_slot(services[service_id], requests)
    return services[slots[0].service_id].organisation, offers


def claim_of(service: Service, resource_id: int, starts_at: datetime) -> Claim:
    """The resource's time a booking of `service` from `starts_at` takes, buffers included."""
    return Claim(
        resource_id,
        starts_at - service.buffer_before,
        starts_at + service.duration + service.buffer_after,
    )


def check_slot(service: Service, requests: Sequence[SlotRequest | Any]) -> None:
    """One slot per service in a booking, and a number of people the service takes.
    `requests` are SlotRequests or booking lines: both have the fields read here."""
    if len({(r.resource_id, r.starts_at) for r in requests}) > 1:
        raise InvalidInput(ONE_SLOT_MESSAGE, service=service.name)
    people = sum(r.quantity for r in requests)
    if not service.min_participants <= people <= service.max_participants:
        raise InvalidInput(
            PARTICIPANTS_MESSAGE,
            service=service.name,
            min=service.min_participants,
            max=service.max_participants,
        )


def _price(prices: list[ServicePrice], price_id: int | None) -> ServicePrice | None:
    if price_id is None:
        return prices[0] if prices else None
    return next((p for p in prices if p.id == price_id), None)
