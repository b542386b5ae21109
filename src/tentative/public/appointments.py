"""A service's public booking page, `/o/<org_slug>/services/<id>/` (issue 13 item 3).

The visitor picks a staff member (or "any"), a day, and one of the free times
(`bookings.selectors.free_slots`), shown in THEIR time zone: the browser says which
(`public/appointments.js` adds `?tz=`, a zone of the IANA list, else the organisation's is
used) and the page names it, with a link to the organiser's. Then the booking form (contact
details and the service's own questions, `catalog.Question`) and one button: *Request
booking* for a service staff approve (no online payment, seed 003), *Book now* otherwise
(paid by card on the next page when it costs something). The action
(`bookings.actions.request_appointment`) checks the time again under its rules; a refusal
(a time outside the hours, past, too soon, not on the grid, taken meanwhile) comes back
next to the times, with the form as typed, never a 500.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from tentative.accounts.models import Organisation
from tentative.bookings import actions as booking_actions
from tentative.bookings import selectors as booking_selectors
from tentative.catalog import selectors
from tentative.catalog.models import Resource, Service
from tentative.public import forms
from tentative.public.checkout import _after_submit
from tentative.public.shop import organisation_for
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.errors import DomainError, NotFound

DAYS_LOOKED_AHEAD = 14
ANY = "any"
CHOOSE_A_TIME = _("Choose one of the free times.")
NO_SUCH_STAFF = _("Choose a staff member who offers this service, or anyone.")
ZONES = zoneinfo.available_timezones()


def _zone(request: HttpRequest, organisation: Organisation) -> zoneinfo.ZoneInfo:
    name = request.GET.get("tz") or request.POST.get("tz") or ""
    return zoneinfo.ZoneInfo(name) if name in ZONES else organisation.zone


def _day(value: str, default: date) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return default


def _slot(value: str) -> tuple[datetime, int] | None:
    """A radio's value: `<UTC ISO start>|<staff member id>`."""
    start, _sep, resource = value.partition("|")
    try:
        moment = datetime.fromisoformat(start)
    except ValueError:
        return None
    if moment.tzinfo is None or not (resource.isascii() and resource.isdigit()):
        return None
    if not 0 < int(resource) < 2**63:
        return None
    return moment, int(resource)


@require_http_methods(["GET", "POST"])
def service_page(request: HttpRequest, org_slug: str, service_id: int) -> HttpResponse:
    organisation = organisation_for(request, org_slug)
    try:
        service = selectors.public_service(organisation.id, service_id)
    except NotFound:
        raise Http404() from None
    now = now_or(None)
    zone = _zone(request, organisation)
    staff = list(selectors.staff_of_service(service.id))
    source = request.POST if request.method == "POST" else request.GET
    chosen = source.get("staff", ANY)
    ids = {str(r.id): r for r in staff}
    staff_error = ""
    if chosen != ANY and chosen not in ids:
        staff_error = str(NO_SUCH_STAFF) if "staff" in source else ""
        chosen = ANY
    today = timezone.localtime(now, zone).date()
    day = max(_day(source.get("date", ""), today), today)
    questions = list(selectors.questions_of_service(service.id))
    mode = "request" if service.requires_approval else "buy"
    form = forms.CheckoutForm(
        request.POST if request.method == "POST" else None,
        modes=[mode],
        places=0,
        questions=questions,
        languages=organisation.languages or [organisation.default_language],
        initial={"mode": mode, "language": translation.get_language()},
    )
    slot_error = ""
    status = 200
    if request.method == "POST":
        picked = _slot(request.POST.get("slot", ""))
        valid = form.is_valid()
        if picked is None:
            slot_error = str(CHOOSE_A_TIME)
        if valid and picked is not None:
            submission = form.submission()
            try:
                booking = booking_actions.request_appointment(
                    actor=Actor.visitor(organisation.id),
                    organisation_id=organisation.id,
                    service_id=service.id,
                    resource_id=picked[1],
                    starts_at=picked[0],
                    contact=submission.contact,
                    answers=submission.answers,
                    now=now,
                )
            except DomainError as refusal:
                name = refusal.params.get("field")
                if name in ("starts_at", "resource", None) or name not in form.fields:
                    slot_error = refusal.text
                else:
                    form.add_error(name, refusal.text)
                status = refusal.status
            else:
                return _after_submit(request, organisation, booking)
        else:
            status = 422
    context = _times(service, staff, chosen, day, zone, now)
    context.update(
        {
            "organisation": organisation,
            "service": service,
            "price": service.prices.all()[0] if service.prices.all() else None,
            "staff": staff,
            "chosen": chosen,
            "staff_error": staff_error,
            "day": day,
            "previous_day": day - timedelta(days=1) if day > today else None,
            "next_day": day + timedelta(days=1),
            "today": today,
            "zone": zone.key,
            "organisation_zone": organisation.time_zone,
            "zone_is_organisations": zone.key == organisation.time_zone,
            "form": form,
            "slot_error": slot_error,
            "picked": request.POST.get("slot", "") if request.method == "POST" else "",
            "request_mode": mode == "request",
            "duration_minutes": int(service.duration.total_seconds() // 60),
        }
    )
    return render(request, "public/service.html", context, status=status)


def _times(
    service: Service,
    staff: list[Resource],
    chosen: str,
    day: date,
    zone: zoneinfo.ZoneInfo,
    now: datetime,
) -> dict[str, Any]:
    """The free times of `day` in the visitor's zone, and the next days that have some: one
    availability read for two weeks."""
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=DAYS_LOOKED_AHEAD), time.min, tzinfo=zone)
    slots = booking_selectors.free_slots(
        service, resource=None if chosen == ANY else int(chosen), start=start, end=end, now=now
    )
    names = {r.id: r.name for r in staff}
    by_day: dict[date, dict[datetime, list[int]]] = defaultdict(lambda: defaultdict(list))
    for slot in slots:
        local = slot.starts_at.astimezone(zone)
        by_day[local.date()][slot.starts_at].append(slot.resource_id)
    times = []
    for starts_at, resources in sorted(by_day.get(day, {}).items()):
        resource = resources[0]  # "any": the first free one, by name order of the query
        times.append(
            {
                "value": f"{starts_at.isoformat()}|{resource}",
                "label": formats.time_format(starts_at.astimezone(zone), "TIME_FORMAT"),
                "with": names.get(resource, ""),
                "id": f"slot-{int(starts_at.timestamp())}-{resource}",
            }
        )
    coming = [d for d in sorted(by_day) if d > day][:6]
    return {"times": times, "coming": coming}
