"""A date's attendee list: `/staff/dates/<id>/attendees/` (printable) and its CSV export.

One row per place of a live booking (confirmed, or an accepted option not paid yet), with
the attendee's name when known, ticket type, booking (linked to its page) and whether the
place has been checked in. Rows come from `checkin.selectors.attendees`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tentative.backoffice.access import staff_actor
from tentative.backoffice.links import booking_url
from tentative.catalog.models import EventDate
from tentative.checkin import selectors
from tentative.shared.errors import NotFound

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _date(request: HttpRequest, date_id: int) -> EventDate:
    try:
        return selectors.access_date(staff_actor(request), date_id)
    except NotFound:
        raise Http404() from None


@login_required
def attendees(request: HttpRequest, date_id: int) -> HttpResponse:
    date = _date(request, date_id)
    rows = selectors.attendees(date)
    return render(
        request,
        "backoffice/attendees.html",
        {
            "date": date,
            "rows": [(row, booking_url(row.booking.reference)) for row in rows],
            "confirmed": sum(1 for r in rows if r.booking.state == "confirmed"),
            "checked_in": sum(1 for r in rows if r.checked_in_at),
            "total": len(rows),
        },
    )


@login_required
def attendees_csv(request: HttpRequest, date_id: int) -> HttpResponse:
    date = _date(request, date_id)
    local = timezone.localtime(date.starts_at)
    name = f"attendees-{slugify(date.event.name)[:40]}-{local:%Y-%m-%d-%H%M}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # a spreadsheet opens it as UTF-8
    writer = csv.writer(response)
    for row in _csv_rows(selectors.attendees(date)):
        writer.writerow([safe_cell(cell) for cell in row])
    return response


def _csv_rows(rows: list[selectors.Attendee]) -> Iterable[list[object]]:
    yield [
        _("Name"),
        _("Email"),
        _("Customer"),
        _("Ticket type"),
        _("Booking"),
        _("State"),
        _("Ticket code"),
        _("Checked in at"),
    ]
    for row in rows:
        checked = timezone.localtime(row.checked_in_at) if row.checked_in_at else None
        yield [
            row.name,
            row.email,
            row.customer,
            row.line.ticket_type.name if row.line.ticket_type_id else "",
            row.booking.reference,
            row.booking.get_state_display(),
            row.code,
            checked.strftime("%Y-%m-%d %H:%M") if checked else "",
        ]
