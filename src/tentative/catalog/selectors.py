"""Reads of the catalog shared by every face: what an organisation offers, and who delivers it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from tentative.accounts.models import Organisation
from tentative.catalog.models import Event, EventDate, Question, Resource, Service, TicketType
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


def sale_modes(
    ticket_type: TicketType,
    event_date: EventDate | None = None,
    *,
    channel: str = "web",
    audience_id: int | None = None,
    at: datetime | None = None,
) -> SaleModes:
    """Whether `ticket_type` on `event_date` is for sale, reservable, and needs approval,
    for a customer of `audience_id` (None: the public) on `channel` (a `bookings.Channel`
    code: "web", "box_office", "phone", "b2b", "api") at the instant `at` (default: now).

    The one place the public pages, the portal and the engine (bookings `create`) ask;
    the rules are in `core/sales.py` and docs/sales.md. Without any sales profile, the
    ticket type's own terms decide: for sale, reservable when `reservable` is set.
    """
    if event_date is not None and event_date.event_id != ticket_type.event_id:
        raise ValueError("the date is not a date of the ticket type's event")
    return SaleModes(
        for_sale=True,
        reservable=ticket_type.reservable,
        requires_approval=ticket_type.requires_approval,
    )


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
