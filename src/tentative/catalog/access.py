"""Who may see and change the catalogue: staff see their organisation's, owners and managers
change it. Another organisation's event is 'not found', never 'forbidden'."""

from __future__ import annotations

from django.db.models import QuerySet

from tentative.catalog.errors import CatalogueManagersOnly
from tentative.catalog.models import (
    Event,
    EventDate,
    HoursException,
    Resource,
    SalesProfile,
    Service,
    TicketType,
)
from tentative.core.permissions import Duty, staff_may_manage
from tentative.shared.actor import Actor, ActorKind
from tentative.shared.errors import NotFound


def may_manage_catalogue(actor: Actor) -> bool:
    return actor.kind == ActorKind.SYSTEM or (
        actor.kind == ActorKind.STAFF
        and actor.role is not None
        and staff_may_manage(actor.role, Duty.CATALOGUE)
    )


def check_may_manage_catalogue(actor: Actor) -> None:
    if not may_manage_catalogue(actor):
        raise CatalogueManagersOnly()


def visible_events(actor: Actor) -> QuerySet[Event]:
    if actor.kind == ActorKind.CUSTOMER:
        return Event.objects.none()
    events = Event.objects.all()
    if actor.kind != ActorKind.SYSTEM:
        events = events.filter(organisation_id=actor.organisation_id)
    return events


def access_event(actor: Actor, event_id: int, *, lock: bool = False) -> Event:
    events = visible_events(actor)
    if lock:
        events = events.select_for_update(no_key=True)
    try:
        return events.get(id=event_id)
    except (Event.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def access_ticket_type(actor: Actor, ticket_type_id: int, *, lock: bool = False) -> TicketType:
    types = TicketType.objects.filter(event__in=visible_events(actor))
    if lock:
        types = types.select_for_update(no_key=True, of=("self",))
    try:
        return types.select_related("event").get(id=ticket_type_id)
    except (TicketType.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def access_date(actor: Actor, event_date_id: int) -> EventDate:
    try:
        return (
            EventDate.objects.filter(event__in=visible_events(actor))
            .select_related("event")
            .get(id=event_date_id)
        )
    except (EventDate.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def visible_profiles(actor: Actor) -> QuerySet[SalesProfile]:
    """Sales profiles are staff matters: every staff member reads them (the box office
    shows what customers see), owners and managers change them."""
    if actor.kind == ActorKind.SYSTEM:
        return SalesProfile.objects.all()
    if actor.kind != ActorKind.STAFF:
        return SalesProfile.objects.none()
    return SalesProfile.objects.filter(organisation_id=actor.organisation_id)


def access_profile(actor: Actor, profile_id: int, *, lock: bool = False) -> SalesProfile:
    profiles = visible_profiles(actor)
    if lock:
        profiles = profiles.select_for_update(no_key=True)
    try:
        return profiles.get(id=profile_id)
    except (SalesProfile.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def access_resource(actor: Actor, resource_id: int, *, lock: bool = False) -> Resource:
    """A staff member or room of the actor's organisation (staff and the system only)."""
    if actor.kind == ActorKind.CUSTOMER:
        raise NotFound()
    resources = Resource.objects.all()
    if actor.kind != ActorKind.SYSTEM:
        resources = resources.filter(organisation_id=actor.organisation_id)
    if lock:
        resources = resources.select_for_update(no_key=True)
    try:
        return resources.get(id=resource_id)
    except (Resource.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def access_service(actor: Actor, service_id: int, *, lock: bool = False) -> Service:
    """A service of the actor's organisation (staff and the system only)."""
    if actor.kind == ActorKind.CUSTOMER:
        raise NotFound()
    services = Service.objects.select_related("organisation")
    if actor.kind != ActorKind.SYSTEM:
        services = services.filter(organisation_id=actor.organisation_id)
    if lock:
        services = services.select_for_update(no_key=True, of=("self",))
    try:
        return services.get(id=service_id)
    except (Service.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def access_hours_exception(actor: Actor, exception_id: int) -> HoursException:
    if actor.kind == ActorKind.CUSTOMER:
        raise NotFound()
    exceptions = HoursException.objects.select_related("resource")
    if actor.kind != ActorKind.SYSTEM:
        exceptions = exceptions.filter(resource__organisation_id=actor.organisation_id)
    try:
        return exceptions.get(id=exception_id)
    except (HoursException.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
