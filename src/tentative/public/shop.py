"""The public booking pages of an organisation, under `/o/<org_slug>/`.

The events list, an event's page with its dates and, per ticket type, a *Buy*, *Reserve* or
*Request* button (`sale_modes`), and the availability fragment that htmx refreshes on that
page ("12 places left", "Sold out"). Anyone may read them; choosing places goes through the
checkout hold (`checkout.py`). The visitor's language comes from the browser or their
choice (Django's language cookie), among the organisation's languages; times are in the
organisation's time zone.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from tentative.accounts.models import Organisation
from tentative.bookings import selectors as booking_selectors
from tentative.catalog import selectors
from tentative.catalog.models import EventDate, TicketType
from tentative.shared.errors import NotFound
from tentative.waitlist import selectors as waitlist_selectors

# A date shows "only N left" from this many places down.
FEW_LEFT = 10


class SaleMode(StrEnum):
    """How a visitor may take a ticket type online (the button they see)."""

    BUY = "buy"
    RESERVE = "reserve"
    REQUEST = "request"


def sale_modes(
    ticket_type: TicketType,
    event_date: EventDate | None = None,
    *,
    rules: selectors.SaleRules | None = None,
) -> list[SaleMode]:
    """The buttons a visitor of the web shop (the public audience) sees for a ticket type:
    *Request* when the organiser approves, else *Buy* where it is for sale and *Reserve*
    where reserving is allowed; none when it is not offered. The channels part decides
    (`catalog.selectors.sale_modes`: sales profiles, the channel × audience matrix)."""
    modes = selectors.sale_modes(ticket_type, event_date, channel="web", rules=rules)
    return [SaleMode(mode) for mode in modes.modes]


def organisation_for(request: HttpRequest, org_slug: str) -> Organisation:
    """The organisation of the page, its time zone active, the visitor's language kept
    among the organisation's (else its default language)."""
    try:
        organisation = selectors.public_organisation(org_slug)
    except NotFound:
        raise Http404() from None
    timezone.activate(organisation.zone)
    offered = organisation.languages or [organisation.default_language]
    if translation.get_language() not in offered:
        language = (
            organisation.default_language
            if organisation.default_language in offered
            else offered[0]
        )
        translation.activate(language)
        request.LANGUAGE_CODE = language
    return organisation


def date_rows(
    organisation: Organisation, dates: list[EventDate], *, now: Any
) -> list[dict[str, Any]]:
    """Each date with its ticket types, what is left of each, and the visitor's buttons."""
    types = selectors.ticket_types_of({d.event_id for d in dates})
    free = booking_selectors.availability([d.id for d in dates], now=now)
    rules = selectors.sale_rules(organisation)
    # Places people on a waiting list wait for are not for sale (docs/waitlist.md).
    kept = waitlist_selectors.kept_for_list([d.id for d in dates])
    rows = []
    for event_date in dates:
        left = free[event_date.id]

        def left_of(type_id: int, date_id: int = event_date.id, left: Any = left) -> int:
            return max(
                0, left.for_type(type_id) - waitlist_selectors.kept_for(kept, date_id, type_id)
            )

        tickets = [
            {
                "type": ticket_type,
                "left": left_of(ticket_type.id),
                "modes": [m.value for m in sale_modes(ticket_type, event_date, rules=rules)],
                "max": min(left_of(ticket_type.id), organisation.public_max_places_per_order),
            }
            for ticket_type in types.get(event_date.event_id, [])
        ]
        rows.append(
            {
                "date": event_date,
                "on_sale": left.on_sale and bool(tickets),
                "left": max((t["left"] for t in tickets), default=0) if left.on_sale else 0,
                "few": FEW_LEFT,
                "tickets": tickets,
            }
        )
    return rows


@require_GET
def organisation_page(request: HttpRequest, org_slug: str) -> HttpResponse:
    organisation = organisation_for(request, org_slug)
    now = timezone.now()
    dates = list(selectors.upcoming_dates(organisation.id, now=now))
    rows = date_rows(organisation, dates, now=now)
    events: dict[int, dict[str, Any]] = {}
    for row in rows:
        event = row["date"].event
        entry = events.setdefault(event.id, {"event": event, "dates": []})
        entry["dates"].append(row)
    context = {
        "organisation": organisation,
        "events": list(events.values()),
        "rooms": selectors.public_rooms(
            organisation.id, zone=organisation.zone, today=timezone.localtime(now).date()
        ),
    }
    return render(request, "public/organisation.html", context)


@require_GET
def event_page(request: HttpRequest, org_slug: str, event_id: int) -> HttpResponse:
    organisation = organisation_for(request, org_slug)
    try:
        event = selectors.public_event(organisation.id, event_id)
    except NotFound:
        raise Http404() from None
    now = timezone.now()
    dates = list(selectors.upcoming_dates(organisation.id, now=now, event_id=event.id))
    context = {
        "organisation": organisation,
        "event": event,
        "rows": date_rows(organisation, dates, now=now),
    }
    return render(request, "public/event.html", context)


@require_GET
def availability(request: HttpRequest, org_slug: str, date_id: int) -> HttpResponse:
    """One date's block of the event page, refreshed by htmx every few seconds."""
    organisation = organisation_for(request, org_slug)
    try:
        event_date = selectors.public_date(organisation.id, date_id)
    except NotFound:
        raise Http404() from None
    now = timezone.now()
    if event_date.starts_at <= now:
        raise Http404()
    [row] = date_rows(organisation, [event_date], now=now)
    context = {"organisation": organisation, "row": row}
    return render(request, "public/_date.html", context)
