"""A staff member's private iCalendar subscription (issue 13 item 5).

`/staff/calendar/feed/<token>.ics` answers, without signing in, the appointments of the
staff member the token belongs to (every resource linked to their membership), from a
month ago to a year ahead: pending requests as TENTATIVE, the rest CONFIRMED. Calendar
apps fetch it every few hours. The secret in the address is the key: *Reset* on the
calendar page (`reset_calendar_feed`) replaces it and the old address answers 404.
"""

from __future__ import annotations

from datetime import UTC, date, timedelta

import icalendar
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from tentative.accounts.actions import reset_calendar_feed
from tentative.accounts.models import CalendarFeed
from tentative.backoffice.access import staff_actor
from tentative.bookings.selectors import appointments
from tentative.catalog.models import Resource
from tentative.shared.clock import now_or

PAST = timedelta(days=31)
AHEAD = timedelta(days=366)


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    row = (
        CalendarFeed.objects.select_related("membership__organisation", "membership__user")
        .filter(token=token, membership__user__is_active=True)
        .first()
    )
    if row is None or not token:
        raise Http404
    membership = row.membership
    org = membership.organisation
    now = now_or(None)
    resources = Resource.objects.filter(
        organisation_id=org.id, kind=Resource.Kind.STAFF, membership=membership
    ).values_list("id", flat=True)
    lines = list(
        appointments(org.id, start=now - PAST, end=now + AHEAD, resource_ids=list(resources))
    )
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Tentative//staff calendar//EN")
    calendar.add("version", "2.0")
    with override(org.default_language):
        name = gettext("%(organisation)s: appointments of %(name)s") % {
            "organisation": org.name,
            "name": membership.user.get_full_name() or membership.user.get_username(),
        }
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", org.time_zone)
        for line in lines:
            booking = line.booking
            pending = booking.state == "request"
            customer = booking.customer.name if booking.customer else ""
            title = f"{line.service.name} · {customer}" if customer else line.service.name
            event = icalendar.Event()
            event.add("uid", f"{booking.reference}-{line.id}@tentative")
            event.add("dtstamp", now.astimezone(UTC))
            event.add("dtstart", line.starts_at.astimezone(org.zone))
            event.add("dtend", line.ends_at.astimezone(org.zone))
            event.add(
                "summary", (gettext("Pending: %(title)s") % {"title": title}) if pending else title
            )
            event.add("status", "TENTATIVE" if pending else "CONFIRMED")
            event.add(
                "description",
                f"{booking.reference} · {line.service_price.name}\n"
                + request.build_absolute_uri(
                    reverse("backoffice:booking", args=[booking.reference])
                ),
            )
            calendar.add_component(event)
    years = [ln.starts_at.year for ln in lines] or [now.year]
    calendar.add_missing_timezones(
        first_date=date(min(years) - 1, 1, 1), last_date=date(max(years) + 1, 12, 31)
    )
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = 'inline; filename="appointments.ics"'
    return response


RESET_DONE = _("Your calendar address is new: the previous one no longer works.")


@login_required
@require_POST
def reset(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    reset_calendar_feed(actor=actor)
    messages.success(request, RESET_DONE)
    return redirect(reverse("calendar:calendar") + "#subscribe")
