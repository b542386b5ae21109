"""Reads of the catalog shared by every face: what an organisation offers, and who delivers it."""

from __future__ import annotations

from collections.abc import Iterable
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
