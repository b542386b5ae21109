"""Read-only: the organisation, its events and dates, its services and the staff members
and rooms that deliver them, and what is still available."""

from datetime import timedelta

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema

from tentative.accounts.models import Organisation
from tentative.api.access import access_event, access_event_date, staff_actor
from tentative.api.schemas import (
    READ_ERRORS,
    AvailabilityOut,
    BusyOut,
    EventOut,
    Id,
    OrganisationOut,
    ResourceOut,
    ServiceOut,
    When,
)
from tentative.catalog import selectors
from tentative.catalog.models import Event
from tentative.inventory import selectors as inventory_selectors
from tentative.shared.errors import InvalidInput, NotFound

MAX_WINDOW = timedelta(days=62)
WINDOW_MESSAGE = _("Give a window that ends after it starts and spans at most 62 days.")

router = Router(tags=["catalog"])


@router.get("/organisation", response={200: OrganisationOut, **READ_ERRORS})
def organisation(request: HttpRequest) -> object:
    return Organisation.objects.get(id=staff_actor(request).organisation_id)


@router.get("/events", response={200: list[EventOut], **READ_ERRORS})
def events(request: HttpRequest) -> object:
    actor = staff_actor(request)
    return (
        Event.objects.filter(organisation_id=actor.organisation_id)
        .prefetch_related("dates", "ticket_types")
        .order_by("id")
    )


@router.get("/events/{event_id}", response={200: EventOut, **READ_ERRORS})
def event(request: HttpRequest, event_id: Id) -> object:
    return access_event(staff_actor(request), event_id)


@router.get("/services", response={200: list[ServiceOut], **READ_ERRORS})
def services(request: HttpRequest) -> object:
    """Appointments and room sessions, with their prices and who delivers them."""
    return selectors.services_of(staff_actor(request).organisation_id)  # type: ignore[arg-type]


@router.get("/resources", response={200: list[ResourceOut], **READ_ERRORS})
def resources(request: HttpRequest) -> object:
    """Staff members and rooms whose time can be booked."""
    return selectors.resources_of(staff_actor(request).organisation_id)  # type: ignore[arg-type]


class Window(Schema):
    starts_after: When
    ends_before: When


@router.get("/resources/{resource_id}/busy", response={200: list[BusyOut], **READ_ERRORS})
def busy(request: HttpRequest, resource_id: Id, window: Query[Window]) -> object:
    """When the resource is taken (held or booked, buffers included) within the window."""
    actor = staff_actor(request)
    resource = selectors.resources_of(actor.organisation_id).filter(id=resource_id).first()  # type: ignore[arg-type]
    if resource is None:
        raise NotFound()
    if (
        window.ends_before <= window.starts_after
        or window.ends_before - window.starts_after > MAX_WINDOW
    ):
        raise InvalidInput(WINDOW_MESSAGE)
    return inventory_selectors.busy_times(
        resource.id, starts_after=window.starts_after, ends_before=window.ends_before
    )


@router.get("/dates/{date_id}/availability", response={200: AvailabilityOut, **READ_ERRORS})
def availability(request: HttpRequest, date_id: Id) -> object:
    date = access_event_date(staff_actor(request), date_id)
    pools = list(date.pools.filter(reserve=None).order_by("id"))  # reserves: their own report
    # A date without a general pool (only quotas, or nothing) is not on sale: nothing is free.
    date_pool = next((p for p in pools if p.ticket_type_id is None), None)
    return {
        "event_date_id": date.id,
        "free": date_pool.free if date_pool else 0,
        "pools": [
            {
                "ticket_type_id": p.ticket_type_id,
                "capacity": p.capacity,
                "taken": p.taken,
                "set_aside": p.set_aside,
                "free": p.free,
            }
            for p in pools
        ],
    }
