"""The players' names of a session booking, filled by its customer (issue 14 item 3).

`/o/<org_slug>/me/bookings/<REF>/players/`: one field per player of each price category,
as many as the booking has players there; blank ones are left unnamed. The customer's own
bookings only (`Space.booking`, 404 otherwise); the verb is the staff's
(`bookings.actions.name_players`) with the customer's actor, which allows it while the
booking is live and its session has not started. Reached from the booking's page in the
personal space, which is where every email's manage link leads.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from tentative.bookings import actions as booking_actions
from tentative.bookings.actions.name_players import CUSTOMER_NAMES, NAME_LENGTH
from tentative.bookings.models import LINE_WORDS, Booking, BookingLine
from tentative.catalog.models import Service
from tentative.portal.views import _booking, _page, signed_in
from tentative.shared.errors import DomainError


def session_lines(booking: Booking) -> list[BookingLine]:
    """The booking's room-session lines, in order, with their players' names."""
    return [
        line
        for line in booking.lines.select_related(*LINE_WORDS)
        .prefetch_related("participants")
        .order_by("starts_at", "id")
        if line.service_id and line.service.kind == Service.Kind.ROOM_SESSION
    ]


def may_name(booking: Booking, lines: list[BookingLine]) -> bool:
    now = timezone.now()
    return (
        bool(lines)
        and booking.state_enum in CUSTOMER_NAMES
        and all(line.starts_at > now for line in lines)
    )


@require_http_methods(["GET", "POST"])
@signed_in
def players(request: HttpRequest, space: Any, reference: str) -> HttpResponse:
    booking, actor = _booking(space, reference)
    lines = session_lines(booking)
    if not lines:
        return redirect("portal:booking", space.organisation.slug, booking.reference)
    error = ""
    status = 200
    values: dict[int, list[str]] = {
        line.id: [p.name for p in line.participants.all()] for line in lines
    }
    if request.method == "POST":
        values = {
            line.id: [
                request.POST.get(f"n_{line.id}_{i}", "")[:NAME_LENGTH] for i in range(line.quantity)
            ]
            for line in lines
        }
        try:
            booking_actions.name_players(booking.id, actor=actor, names=values)
        except DomainError as refusal:
            error, status = refusal.text, refusal.status
        else:
            messages.success(request, gettext("The players' names are saved."))
            return redirect("portal:booking", space.organisation.slug, booking.reference)
    rows = [
        {
            "line": line,
            "fields": [
                {
                    "name": f"n_{line.id}_{i}",
                    "value": values[line.id][i] if i < len(values[line.id]) else "",
                    "number": i + 1,
                }
                for i in range(line.quantity)
            ],
        }
        for line in lines
    ]
    return _page(
        request,
        space,
        "players.html",
        status=status,
        booking=booking,
        rows=rows,
        editable=may_name(booking, lines),
        error=error,
    )
