"""Fetching catalog objects for an API caller, scoped to the caller's organisation."""

from __future__ import annotations

from django.http import HttpRequest

from tentative.catalog.models import Event, EventDate
from tentative.shared.actor import Actor
from tentative.shared.errors import NotFound


def staff_actor(request: HttpRequest) -> Actor:
    return request.auth  # type: ignore[attr-defined, no-any-return]


def access_event(actor: Actor, event_id: int) -> Event:
    try:
        return Event.objects.prefetch_related("dates", "ticket_types").get(
            id=event_id, organisation_id=actor.organisation_id
        )
    except Event.DoesNotExist:
        raise NotFound() from None


def access_event_date(actor: Actor, date_id: int) -> EventDate:
    try:
        return EventDate.objects.get(id=date_id, event__organisation_id=actor.organisation_id)
    except EventDate.DoesNotExist:
        raise NotFound() from None
