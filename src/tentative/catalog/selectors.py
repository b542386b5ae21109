"""Reads of the catalog shared by every face: what an organisation offers, and who delivers it."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from tentative.catalog.models import HoursException, Resource, Service, WorkingHours


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
