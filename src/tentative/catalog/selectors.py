"""Reads of the catalog shared by every face: what an organisation offers, and who delivers it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from tentative.accounts.models import Audience, Organisation
from tentative.catalog.models import (
    ClosedDay,
    Event,
    EventDate,
    HoursException,
    Question,
    Resource,
    SalesProfile,
    SalesProfileItem,
    Service,
    SessionRule,
    TicketType,
    WorkingHours,
)
from tentative.core import sales
from tentative.core.sessions import WeeklyRule, parse_times, session_starts
from tentative.shared.errors import NotFound


def services_of(organisation_id: int) -> QuerySet[Service]:
    return (
        Service.objects.filter(organisation_id=organisation_id)
        .prefetch_related("prices", "resources")
        .order_by("id")
    )


def resources_of(organisation_id: int) -> QuerySet[Resource]:
    return Resource.objects.filter(organisation_id=organisation_id, archived_at=None).order_by(
        "name", "id"
    )


@dataclass(frozen=True)
class SaleModes:
    """What a customer may do with a ticket type on a date, on a channel, at an instant.

    - `for_sale`: it may be bought (or, when it needs approval, requested);
    - `reservable`: it may be booked now and paid later (an option with a deadline);
    - `requires_approval`: whatever the customer does is a request the organiser approves.
    """

    for_sale: bool
    reservable: bool
    requires_approval: bool
    # The sales profile that decided, for the explanation shown to staff; None: the ticket
    # type's own terms decided (no profile covers it).
    profile_id: int | None = None

    @property
    def offered(self) -> bool:
        """Whether the customer sees it at all."""
        return self.for_sale or self.reservable

    @property
    def modes(self) -> tuple[str, ...]:
        """The buttons a public page shows, in order: "request", or "buy" and/or "reserve"."""
        if not self.offered:
            return ()
        if self.requires_approval:
            return ("request",)
        return tuple(
            mode
            for mode, allowed in (("buy", self.for_sale), ("reserve", self.reservable))
            if allowed
        )


@dataclass(frozen=True)
class SaleRules:
    """An organisation's sales profiles and its channel × audience matrix, read once: pass
    it to `sale_modes` when asking about many ticket types (a page of events)."""

    profiles: tuple[sales.Profile, ...]
    # Audience id -> the channels where it may reserve. An audience missing here (the
    # public before anyone set it) may reserve everywhere.
    reserve_channels: dict[int, frozenset[str]]
    public_id: int | None

    def audience(self, audience_id: int | None) -> int | None:
        return self.public_id if audience_id is None else audience_id

    def may_reserve(self, audience_id: int | None, channel: str) -> bool:
        known = self.reserve_channels.get(audience_id) if audience_id is not None else None
        return known is None or channel in known


NO_RULES = SaleRules(profiles=(), reserve_channels={}, public_id=None)


def sale_rules(organisation: Organisation | int) -> SaleRules:
    """No query for an organisation (a row) that never set up audiences or profiles; else
    two queries, four with profiles."""
    if isinstance(organisation, Organisation):
        if not organisation.sale_rules_in_use:
            return NO_RULES
        organisation_id = organisation.id
    else:
        organisation_id = organisation
    audiences = list(
        Audience.objects.filter(organisation_id=organisation_id).values_list(
            "id", "is_public", "reserve_channels"
        )
    )
    profiles = SalesProfile.objects.filter(organisation_id=organisation_id).prefetch_related(
        "items", "audiences"
    )
    return SaleRules(
        profiles=tuple(core_profile(p) for p in profiles),
        reserve_channels={aid: frozenset(channels) for aid, _public, channels in audiences},
        public_id=next((aid for aid, public, _c in audiences if public), None),
    )


def core_profile(profile: SalesProfile) -> sales.Profile:
    """A profile row as the pure rule reads it (its items and audiences prefetched)."""
    return sales.Profile(
        id=profile.id,
        channels=frozenset(profile.channels),
        audiences=frozenset(a.id for a in profile.audiences.all()),
        starts=profile.starts_at,
        ends=profile.ends_at,
        priority=profile.priority,
        items=tuple(core_item(item) for item in profile.items.all()),
    )


def core_item(item: SalesProfileItem) -> sales.Item:
    if item.ticket_type_id is not None:
        scope, target = sales.Scope.TICKET_TYPE, item.ticket_type_id
    elif item.event_id is not None:
        scope, target = sales.Scope.EVENT, item.event_id
    else:
        scope, target = sales.Scope.ALL, None
    return sales.Item(scope, target, item.for_sale, item.reservable)


def sale_modes(
    ticket_type: TicketType,
    event_date: EventDate | None = None,
    *,
    channel: str = "web",
    audience_id: int | None = None,
    at: datetime | None = None,
    rules: SaleRules | None = None,
) -> SaleModes:
    """Whether `ticket_type` on `event_date` is for sale, reservable, and needs approval,
    for a customer of `audience_id` (None: the public) on `channel` (a `bookings.Channel`
    code: "web", "box_office", "phone", "b2b", "api") at the instant `at` (default: now).

    The one place the public pages, the portal and the engine (bookings `create`, the
    checkout) ask. The organisation's sales profiles that apply to the channel, the
    audience and the instant are resolved by `core.sales.decide` (one item wins: the most
    specific, then the narrowest period of sale, then the priority, then the more
    restrictive; docs/sales.md). Without any, the ticket type's own terms decide. Reserving
    needs, on top, the ticket type's `reservable` and the channel × audience matrix.
    `rules`: `sale_rules(organisation_id)` read once by a caller asking many times.
    """
    if event_date is not None and event_date.event_id != ticket_type.event_id:
        raise ValueError("the date is not a date of the ticket type's event")
    if rules is None:
        rules = sale_rules(ticket_type.event.organisation_id)
    audience = rules.audience(audience_id)
    decision = sales.decide(
        rules.profiles,
        product=sales.Product(event_id=ticket_type.event_id, ticket_type_id=ticket_type.id),
        channel=channel,
        audience=audience,
        at=at or timezone.now(),
        reservable_by_terms=ticket_type.reservable,
        may_reserve_here=rules.may_reserve(audience, channel),
    )
    return SaleModes(
        for_sale=decision.for_sale,
        reservable=decision.reservable,
        requires_approval=ticket_type.requires_approval,
        profile_id=decision.profile_id,
    )


def working_hours_of(resource_id: int) -> QuerySet[WorkingHours]:
    """A resource's weekly ranges, by weekday then start (wall-clock, the org's zone)."""
    return WorkingHours.objects.filter(resource_id=resource_id).order_by("weekday", "starts")


def hours_exceptions_of(resource_id: int, *, since: date | None = None) -> QuerySet[HoursException]:
    """A resource's days off and extra hours, those ending on or after `since` when given."""
    found = HoursException.objects.filter(resource_id=resource_id)
    if since is not None:
        found = found.filter(last_day__gte=since)
    return found.order_by("first_day", "starts", "id")


def public_organisation(slug: str) -> Organisation:
    """The organisation whose public pages live under `/o/<slug>/` (NotFound otherwise)."""
    try:
        return Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist:
        raise NotFound() from None


def upcoming_dates(
    organisation_id: int, *, now: datetime, event_id: int | None = None
) -> QuerySet[EventDate]:
    """Dates not started yet, soonest first, with their event (the public pages' rows)."""
    dates = EventDate.objects.filter(event__organisation_id=organisation_id, starts_at__gt=now)
    if event_id is not None:
        dates = dates.filter(event_id=event_id)
    return dates.select_related("event").order_by("starts_at", "id")


def public_event(organisation_id: int, event_id: int) -> Event:
    try:
        return Event.objects.get(organisation_id=organisation_id, id=event_id)
    except (Event.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def public_date(organisation_id: int, date_id: int) -> EventDate:
    try:
        return EventDate.objects.select_related("event").get(
            event__organisation_id=organisation_id, id=date_id
        )
    except (EventDate.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def ticket_types_of(event_ids: Iterable[int]) -> dict[int, list[TicketType]]:
    """Each event's ticket types, in the order staff created them."""
    found: dict[int, list[TicketType]] = {}
    for ticket_type in TicketType.objects.filter(event_id__in=list(event_ids)).order_by("id"):
        found.setdefault(ticket_type.event_id, []).append(ticket_type)
    return found


def questions_of_event(event_id: int) -> QuerySet[Question]:
    return Question.objects.filter(event_id=event_id).order_by("position", "id")


def public_service(organisation_id: int, service_id: int) -> Service:
    """An appointment service of the organisation, for its public page, with its prices."""
    found = (
        Service.objects.filter(
            organisation_id=organisation_id, id=service_id, kind=Service.Kind.APPOINTMENT
        )
        .select_related("organisation")
        .prefetch_related("prices")
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def staff_of_service(service_id: int) -> QuerySet[Resource]:
    """Who delivers a service (not archived), by name."""
    return Resource.objects.filter(services=service_id, archived_at=None).order_by("name", "id")


def questions_of_service(service_id: int) -> QuerySet[Question]:
    """The custom fields of a service's booking form, in their order."""
    return Question.objects.filter(service_id=service_id).order_by("position", "id")


def working_hours_of_many(resource_ids: Iterable[int]) -> QuerySet[WorkingHours]:
    """The weekly ranges of several resources at once (a list page's one query)."""
    return WorkingHours.objects.filter(resource_id__in=list(resource_ids)).order_by(
        "resource_id", "weekday", "starts"
    )


@dataclass
class Session:
    """One session of a room on the schedule: when, and the game it sells."""

    room_id: int
    service: Service
    starts_at: datetime
    ends_at: datetime


@dataclass
class RoomSchedule:
    room: Resource
    sessions: list[Session]
    closed: dict[date, str]  # day → note
    services: list[Service]  # the room sessions it delivers (for moves and new bookings)


def room_schedules(
    organisation_id: int,
    *,
    first: date,
    last: date,
    zone: ZoneInfo,
    room_ids: list[int] | None = None,
) -> list[RoomSchedule]:
    """Every room of the organisation with its sessions from `first` to `last` (days in the
    organisation's zone, both included): five queries whatever the range or the rooms."""
    rooms = list(
        Resource.objects.filter(
            organisation_id=organisation_id, kind=Resource.Kind.ROOM, archived_at=None
        ).order_by("name", "id")
    )
    if room_ids is not None:
        rooms = [r for r in rooms if r.id in room_ids]
    ids = [r.id for r in rooms]
    rules: dict[int, list[SessionRule]] = defaultdict(list)
    for rule in (
        SessionRule.objects.filter(room_id__in=ids)
        .filter(Q(starts_on=None) | Q(starts_on__lte=last), Q(ends_on=None) | Q(ends_on__gte=first))
        .select_related("service")
    ):
        rules[rule.room_id].append(rule)
    closed: dict[int, dict[date, str]] = defaultdict(dict)
    for room_id, day, note in ClosedDay.objects.filter(
        room_id__in=ids, day__gte=first, day__lte=last
    ).values_list("room_id", "day", "note"):
        closed[room_id][day] = note
    services: dict[int, list[Service]] = defaultdict(list)
    for service in (
        Service.objects.filter(
            kind=Service.Kind.ROOM_SESSION, organisation_id=organisation_id, resources__in=ids
        )
        .annotate(room_id=F("resources__id"))
        .prefetch_related("prices")
        .order_by("id")
    ):
        services[service.room_id].append(service)  # type: ignore[attr-defined]
    found = []
    for room in rooms:
        sessions: dict[datetime, Session] = {}
        for rule in rules[room.id]:
            weekly = WeeklyRule(
                weekdays=frozenset(int(d) for d in rule.weekdays),
                times=parse_times(rule.times),
                starts_on=rule.starts_on,
                ends_on=rule.ends_on,
            )
            for start in session_starts(
                [weekly], first=first, last=last, zone=zone, closed=closed[room.id]
            ):
                sessions.setdefault(
                    start, Session(room.id, rule.service, start, start + rule.service.duration)
                )
        found.append(
            RoomSchedule(
                room=room,
                sessions=[sessions[k] for k in sorted(sessions)],
                closed=closed[room.id],
                services=services[room.id],
            )
        )
    return found


def is_scheduled(schedule: RoomSchedule, starts_at: datetime) -> bool:
    return any(s.starts_at == starts_at for s in schedule.sessions)


@dataclass
class PublicRoom:
    room: Resource
    game: Service
    from_price: Decimal | None


def public_rooms(organisation_id: int, *, zone: ZoneInfo, today: date) -> list[PublicRoom]:
    """The rooms on the public pages' list (issue 14 item 8), each with its game and its
    lowest price: the rooms that sell a game (`room_schedules`' five queries). A room that
    sells places is not among them: its sessions are its game's event's dates, on sale with
    the events."""
    found = []
    for schedule in room_schedules(organisation_id, first=today, last=today, zone=zone):
        if schedule.services and not schedule.services[0].places_per_session:
            game = schedule.services[0]
            prices = [p.price for p in game.prices.all()]
            found.append(PublicRoom(schedule.room, game, min(prices) if prices else None))
    return found
