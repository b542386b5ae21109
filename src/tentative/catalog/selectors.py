"""Reads of the catalog shared by every face: what an organisation offers, and who delivers it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.db.models import QuerySet

from tentative.accounts.models import Organisation
from tentative.catalog.models import (
    Event,
    EventDate,
    HoursException,
    Question,
    Resource,
    Service,
    TicketType,
    WorkingHours,
)
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
