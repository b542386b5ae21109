"""The staff back office. Views parse input, call an access helper and an action, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tentative.backoffice.access import staff_actor
from tentative.bookings import labels, selectors
from tentative.bookings.access import visible_bookings
from tentative.bookings.models import LINE_WORDS
from tentative.core.states import State
from tentative.notifications.selectors import EXPIRING_WITHIN
from tentative.payments import labels as payment_labels
from tentative.payments import selectors as payment_selectors
from tentative.shared.clock import now_or

PER_PAGE = 50


@login_required
def bookings(request: HttpRequest) -> HttpResponse:
    """Newest first, 50 a page. Measured with 50,000 bookings (bench/bookings_list.py): the
    page's ids come first from a lean query that walks the `booking_list_newest_first`
    index and stops at the page; only those 50 rows are then read with their customer,
    money and lines. Its query count is pinned by tests/backoffice/test_bookings_page.py."""
    actor = staff_actor(request)
    rows = visible_bookings(actor).order_by("-created_at", "-id")
    state = request.GET.get("state", "")
    if state in State.__members__.values():
        rows = rows.filter(state=state)
    else:
        state = ""
    # The dashboard's counts link here: options due within 48 h, and overdue ones.
    now = now_or(None)
    due = request.GET.get("due", "")
    if due == "48h":
        rows = rows.filter(deadline_shown__gt=now, deadline_shown__lte=now + EXPIRING_WITHIN)
    elif due == "overdue":
        rows = rows.filter(deadline_shown__lte=now)
    else:
        due = ""
    search = request.GET.get("q", "").strip()[: selectors.SEARCH_LENGTH]
    if search:
        exact = visible_bookings(actor).filter(reference=search.upper().replace("\x00", ""))
        if not state and (reference := exact.values_list("reference", flat=True).first()):
            return redirect("backoffice:booking", reference=reference)  # a reference typed
        rows = selectors.search(rows, search, organisation_id=actor.organisation_id)
    # (id, created_at): a search's UNION can only be ordered by columns it selects.
    page = Paginator(rows.values_list("id", "created_at"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    ids = [row[0] for row in page.object_list]
    shown = (
        payment_selectors.with_decide_by(
            payment_selectors.with_money(
                visible_bookings(actor)
                .filter(id__in=ids)
                .select_related("customer")
                .prefetch_related(*(f"lines__{path}" for path in LINE_WORDS))
            )
        ).in_bulk(ids)
        if ids
        else {}
    )
    page.object_list = [shown[i] for i in ids if i in shown]
    for booking in page:
        money = payment_selectors.balance_of_row(booking)
        # Only an option or a firm booking owes money; another one shows its payments only
        # when it has some (money to give back after a cancellation, say).
        owes = booking.state in (State.OPTION, State.CONFIRMED)
        booking.payment_status = money.status.value if owes or money.captured.amount else ""
        booking.payment_label = payment_labels.STATUS.get(booking.payment_status, "")
        booking.outstanding = money.outstanding if owes else None
        # A pending request: the "decide within …" countdown (issue 10 item 4).
        booking.decide_by = payment_selectors.decide_by(booking)
    return render(
        request,
        "backoffice/bookings.html",
        {
            "page": page,
            "states": [(s.value, labels.label(labels.STATES, s.value)) for s in State],
            "state": state,
            "due": due,
            "search": search,
            "query": urlencode(
                {k: v for k, v in (("state", state), ("due", due), ("q", search)) if v}
            ),
            "actor": actor,
            "now": now,
        },
    )
