"""Reads of the catalog shared by every face: what an organisation offers, and who delivers it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from tentative.catalog.models import EventDate, Resource, Service, TicketType


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
