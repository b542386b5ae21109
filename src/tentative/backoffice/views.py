"""The staff back office. Views parse input, call an access helper and an action, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tentative.backoffice.access import staff_actor
from tentative.bookings import labels
from tentative.bookings.access import visible_bookings
from tentative.bookings.models import LINE_WORDS
from tentative.core.states import State


@login_required
def bookings(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    rows = (
        visible_bookings(actor)
        .select_related("customer")
        .prefetch_related(*(f"lines__{path}" for path in LINE_WORDS))
        .order_by("-created_at", "-id")
    )
    state = request.GET.get("state", "")
    if state in State.__members__.values():
        rows = rows.filter(state=state)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/bookings.html",
        {
            "page": page,
            "states": [(s.value, labels.label(labels.STATES, s.value)) for s in State],
            "state": state,
            "actor": actor,
        },
    )
