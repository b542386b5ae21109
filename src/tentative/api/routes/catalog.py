"""Read-only: the organisation, its events, dates and what is still available."""

from django.http import HttpRequest
from ninja import Router

from tentative.accounts.models import Organisation
from tentative.api.access import access_event, access_event_date, staff_actor
from tentative.api.schemas import READ_ERRORS, AvailabilityOut, EventOut, Id, OrganisationOut
from tentative.catalog.models import Event

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
