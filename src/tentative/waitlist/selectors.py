"""Reads every face shares: the queue of a date, an entry's position, the free places an
entry could be offered."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.urls import reverse

from tentative.bookings.offers import LineRequest, resolve
from tentative.catalog.models import EventDate, TicketType
from tentative.shared.errors import NotFound
from tentative.waitlist.models import WaitlistEntry

WAITING = WaitlistEntry.State.WAITING


def queue(event_date_id: int, ticket_type_id: int | None) -> QuerySet[WaitlistEntry]:
    """The waiting entries of a date and ticket type, first in first out."""
    return WaitlistEntry.objects.filter(
        event_date_id=event_date_id, ticket_type_id=ticket_type_id, state=WAITING
    ).order_by("created_at", "id")


def position(entry: WaitlistEntry) -> int | None:
    """1 for the next in line; None once the entry no longer waits."""
    if entry.state != WAITING:
        return None
    ahead = queue(entry.event_date_id, entry.ticket_type_id).filter(
        Q(created_at__lt=entry.created_at) | Q(created_at=entry.created_at, id__lt=entry.id)
    )
    return ahead.count() + 1


def entries_of_date(organisation_id: int, event_date_id: int) -> list[WaitlistEntry]:
    """Every entry of a date for the staff page, live ones first, each with `position`."""
    entries = list(
        WaitlistEntry.objects.filter(organisation_id=organisation_id, event_date_id=event_date_id)
        .select_related("ticket_type", "offer")
        .order_by("created_at", "id")
    )
    rank: dict[int | None, int] = {}
    for entry in entries:
        entry.position = None  # type: ignore[attr-defined]
        if entry.state == WAITING:
            rank[entry.ticket_type_id] = rank.get(entry.ticket_type_id, 0) + 1
            entry.position = rank[entry.ticket_type_id]  # type: ignore[attr-defined]
    live = {WAITING: 0, WaitlistEntry.State.OFFERED: 1}
    entries.sort(key=lambda e: live.get(e.state, 2))
    return entries


def waiting_count(event_date_id: int) -> int:
    return WaitlistEntry.objects.filter(event_date_id=event_date_id, state=WAITING).count()


def ticket_type_for(event_date: EventDate, ticket_type_id: int | None) -> TicketType | None:
    """The entry's ticket type, or for "any type" the event's first one (by id)."""
    types = TicketType.objects.filter(event_id=event_date.event_id)
    if ticket_type_id is not None:
        return types.filter(id=ticket_type_id).first()
    return types.order_by("id").first()


def free_places(
    organisation_id: int, event_date_id: int, ticket_type_id: int, *, now: datetime
) -> int:
    """Free places for one more line of this type on this date, read without a lock (the
    engine's take decides): the fewest free over the pools the line would use."""
    resolved = resolve(organisation_id, [LineRequest(event_date_id, ticket_type_id, 1)], now=now)
    offer = resolved.offers[0]
    return max(0, min(resolved.free[pool_id] for pool_id in offer.pools))


def entry_url(entry: WaitlistEntry) -> str:
    """The visitor's page (absolute, `PUBLIC_URL`): the link in every email of the list."""
    path = reverse("public:waitlist_entry", args=[entry.organisation.slug, entry.token])
    return f"{settings.PUBLIC_URL}{path}"


def public_date(org_slug: str, date_id: int) -> EventDate:
    """A date of the organisation named in a public URL, with its event and organisation;
    'not found' for a date of another organisation."""
    date = (
        EventDate.objects.select_related("event__organisation")
        .filter(id=date_id, event__organisation__slug=org_slug)
        .first()
    )
    if date is None:
        raise NotFound()
    return date


def ticket_types_of(event_date: EventDate) -> list[TicketType]:
    return list(TicketType.objects.filter(event_id=event_date.event_id).order_by("id"))


def date_of_staff(organisation_id: int, date_id: int) -> EventDate:
    date = (
        EventDate.objects.select_related("event")
        .filter(id=date_id, event__organisation_id=organisation_id)
        .first()
    )
    if date is None:
        raise NotFound()
    return date


def kept_for_list(event_date_ids: set[int] | list[int]) -> dict[tuple[int, int | None], int]:
    """Places the waiting entries want, per (date, ticket type or None for "any type"):
    what public sale may not take (`gate.py`), and what the public pages do not show as
    left. One aggregate query."""
    rows = (
        WaitlistEntry.objects.filter(event_date_id__in=set(event_date_ids), state=WAITING)
        .values_list("event_date_id", "ticket_type_id")
        .annotate(wanted=Sum("quantity"))
        .order_by()
    )
    return {(date_id, type_id): wanted for date_id, type_id, wanted in rows}


def kept_for(
    kept: dict[tuple[int, int | None], int], event_date_id: int, ticket_type_id: int
) -> int:
    """What the list keeps of one ticket type on one date."""
    return kept.get((event_date_id, ticket_type_id), 0) + kept.get((event_date_id, None), 0)
