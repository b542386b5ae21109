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
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tentative import compiled
from tentative.accounts.models import Organisation
from tentative.bookings.availability import hours_of, latest_start, rule_of
from tentative.bookings.errors import UnbookableTime
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
from tentative.core import availability
from tentative.inventory import capacity, reserves
from tentative.shared.errors import DomainError, InvalidInput, NotFound

MAX_QUANTITY = 1000

LINES_MESSAGE = _("A booking needs at least one line.")
QUANTITY_MESSAGE = _("Each quantity must be between 1 and %(max)s.")
DUPLICATE_MESSAGE = _("The same ticket type and date appear twice; put them on one line.")
NAIVE_MESSAGE = _("A start time needs its time zone (for example 2027-03-01T10:00:00+01:00).")
NOT_DELIVERED_MESSAGE = _("%(resource)s does not offer “%(service)s”.")
PARTICIPANTS_MESSAGE = _("“%(service)s” takes between %(min)s and %(max)s people per booking.")
ONE_SLOT_MESSAGE = _("A booking of “%(service)s” takes one time and one staff member or room.")
# Bad input of issue 13: why a start time is not offered, worded for the customer.
REFUSALS = {
    availability.Refusal.NOTICE: _(
        "“%(service)s” must be booked at least %(notice)s before it starts."
    ),
    availability.Refusal.HORIZON: _(
        "“%(service)s” can be booked at most %(days)s days ahead (until %(last)s)."
    ),
    availability.Refusal.NONEXISTENT: _(
        "%(time)s does not exist on %(date)s in %(zone)s: the clocks go forward that night. "
        "Please choose another time."
    ),
    availability.Refusal.DAY_OFF: _("%(resource)s is not working on %(date)s."),
    availability.Refusal.OUTSIDE_HOURS: _(
        "%(resource)s is not working at %(time)s on %(date)s: please choose a time within "
        "their working hours."
    ),
    availability.Refusal.NOT_ALIGNED: _(
        "“%(service)s” starts every %(step)s from the start of working hours; %(time)s is not "
        "one of its start times."
    ),
}


class SlotRules:
    """Which rules a timed line is held to (docs/availability.md):

    - `CUSTOMER`: a customer's booking or any request: every rule (notice, horizon, the
      staff member's hours and days off, the slot grid, a time that exists);
    - `STAFF`: staff fitting someone in: the hours, days off and a time that exists, but
      not the notice, the horizon or the grid.

    Both only for a resource whose hours are set; one without any hours (a room run by
    its sessions' own schedule) is held to nothing but "not in the past". Overlaps are
    never checked here: the time claims are (under a lock, and the database's rule)."""

    CUSTOMER = "customer"
    STAFF = "staff"


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


def resolve(
    organisation_id: int,
    requests: Sequence[AnyRequest],
    *,
    now: datetime,
    rules: str = SlotRules.CUSTOMER,
    sold_prices: frozenset[int] = frozenset(),
) -> Resolved:
    """Check and price every line, and say what each consumes. Tickets cost two compiled
    queries (the booking hot path); timed lines a few more, only when there are some.
    `sold_prices`: price categories a booking already has, still valid for it when staff
    have removed them since (a move keeps its players' categories); never for a new line."""
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
        organisation, slot_offers = _slots(organisation_id, slots, now, rules, sold_prices)
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
    organisation_id: int,
    slots: list[SlotRequest],
    now: datetime,
    rules: str,
    sold_prices: frozenset[int] = frozenset(),
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
    live = Q(retired_at__isnull=True) | Q(id__in=sorted(sold_prices))
    for price in ServicePrice.every.filter(live, service_id__in=list(services)).order_by("id"):
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
    check_times(
        [(services[r.service_id], resources[r.resource_id], r.starts_at) for r in slots],
        now=now,
        rules=rules,
    )
    return services[slots[0].service_id].organisation, offers


def check_times(
    wanted: Sequence[tuple[Service, Resource, datetime]], *, now: datetime, rules: str
) -> None:
    """Refuse a start that the service and the resource's hours do not offer (one query
    for every resource's hours)."""
    if not wanted:
        return
    zone = wanted[0][0].organisation.zone
    days = [availability.local_days(t, t + s.duration, zone) for s, _r, t in wanted]
    hours = hours_of(
        {r.id for _s, r, _t in wanted}, min(d[0] for d in days), max(d[1] for d in days)
    )
    customer = rules == SlotRules.CUSTOMER
    for service, resource, starts_at in wanted:
        if resource.id not in hours:
            continue  # no hours set: not restricted by hours
        refusal = availability.refusal(
            starts_at,
            hours=hours[resource.id],
            zone=zone,
            busy=[],
            rule=rule_of(service),
            now=now,
            notice=service.min_notice if customer else timedelta(0),
            latest=latest_start(service, zone, now) if customer else None,
            check_busy=False,
            check_grid=customer,
        )
        if refusal is not None:
            raise unbookable(refusal, service, resource, starts_at, now=now)


def unbookable(
    refusal: availability.Refusal,
    service: Service,
    resource: Resource,
    starts_at: datetime,
    *,
    now: datetime,
) -> DomainError:
    """The typed refusal, worded with the local date and time of the organisation."""
    zone = service.organisation.zone
    if refusal == availability.Refusal.PAST:
        return InvalidInput(STARTED)
    if refusal == availability.Refusal.NONEXISTENT:
        wall = starts_at.replace(tzinfo=None)  # the time as the caller wrote it
    else:
        wall = starts_at.astimezone(zone).replace(tzinfo=None)
    last = latest_start(service, zone, now).astimezone(zone) - timedelta(days=1)
    return UnbookableTime(
        refusal.value,
        REFUSALS[refusal],
        service=service.name,
        resource=resource.name,
        date=formats.date_format(wall.date(), "DATE_FORMAT"),
        time=formats.time_format(wall.time(), "TIME_FORMAT"),
        zone=str(zone),
        notice=duration_text(service.min_notice),
        step=duration_text(service.step),
        days=service.horizon_days,
        last=formats.date_format(last.date(), "DATE_FORMAT"),
    )


def duration_text(span: timedelta) -> str:
    """“2 hours”, “90 minutes”, “1 day”, in the reader's language."""
    minutes = int(span.total_seconds() // 60)
    if minutes and minutes % 1440 == 0:
        days = minutes // 1440
        return ngettext("%(count)s day", "%(count)s days", days) % {"count": days}
    if minutes and minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours}
    return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}


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
