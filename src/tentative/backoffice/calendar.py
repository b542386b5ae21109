"""The staff calendar, `/staff/calendar/` (issue 13 item 4, seed 003 "booking calendar").

Day, week and month views of the appointments, per staff member or for everyone, drawn by
FullCalendar (vendored: `static/vendor/fullcalendar/`, docs/calendar.md) from a JSON feed
scoped to the organisation. Pending requests sit beside confirmed appointments, hatched
and outlined and with the word "Pending" in their title (never colour alone). Clicking one
opens a dialog: *Approve*, *Reschedule* (staff member, date, time, a private note, an
optional message to the customer), *Decline* (an optional message). Dragging one posts a
move. Every change goes through the bookings actions, which check the rights; a refusal
answers its message and status, and the calendar puts the appointment back.

Times are wall-clock times in the organisation's zone both ways: the feed writes
`2026-03-29T10:00:00` with no offset and the calendar runs in "UTC" so that it draws them
as they are; a time posted back is read in the organisation's zone, and one that does not
exist there (the hour skipped in spring) is refused (`core.wallclock`).

Without JavaScript the page lists the requests waiting for a decision, each a link to its
booking page, where every action has its form.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from tentative.accounts.models import CalendarFeed
from tentative.backoffice.access import staff_actor
from tentative.bookings import actions
from tentative.bookings import labels as booking_labels
from tentative.bookings.access import access_booking_by_reference, allowed_actions
from tentative.bookings.models import BookingLine
from tentative.bookings.selectors import appointments
from tentative.catalog.models import Resource
from tentative.core import wallclock
from tentative.core.states import Action, State
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.errors import DomainError

VIEWS = {"day": "timeGridDay", "week": "timeGridWeek", "month": "dayGridMonth"}
MAX_RANGE = timedelta(days=62)  # a month view shows six weeks
PENDING_LISTED = 50
NO_SUCH_TIME = _("This time does not exist on that day: the clocks change then.")
BAD_RANGE = _("Give a start and an end, at most two months apart.")
TEXT = {"max_length": 1000, "required": False}
LEGEND = (
    ("confirmed", _("Confirmed")),
    ("option", _("Option (awaiting payment)")),
    ("request", _("Pending request")),
)
TITLES = {"request": _("Pending: %(title)s"), "option": _("Option: %(title)s")}
DONE = {
    "approve": _("Appointment %(reference)s approved."),
    "decline": _("Appointment %(reference)s declined."),
    "move": _("Appointment %(reference)s rescheduled."),
}


def _staff(actor: Actor) -> list[Resource]:
    return list(
        Resource.objects.filter(
            organisation_id=actor.organisation_id, kind=Resource.Kind.STAFF, archived_at=None
        ).order_by("name", "id")
    )


def _mine(actor: Actor, staff: list[Resource]) -> Resource | None:
    """The staff member's own diary, if they deliver appointments."""
    return next((r for r in staff if r.membership and r.membership.user_id == actor.user_id), None)


@login_required
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    zone = timezone.get_current_timezone()
    now = now_or(None)
    staff = list(
        Resource.objects.filter(
            organisation_id=actor.organisation_id, kind=Resource.Kind.STAFF, archived_at=None
        )
        .select_related("membership")
        .order_by("name", "id")
    )
    ids = {str(r.id) for r in staff}
    chosen = request.GET.get("staff", "")
    if chosen not in ids:
        chosen = ""
    pending_only = request.GET.get("show") == "pending"
    view = VIEWS.get(request.GET.get("view", ""), "timeGridWeek")
    jumped = False
    try:
        initial = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        initial, jumped = _first_busy_week(actor, chosen, pending_only, zone, now)
    pending = list(
        appointments(
            actor.organisation_id,
            start=now,
            end=now + timedelta(days=366),
            resource_ids=[int(chosen)] if chosen else None,
            states=[State.REQUEST.value],
        )[:PENDING_LISTED]
    )
    feed = CalendarFeed.objects.filter(membership__user_id=actor.user_id).first()
    config = {
        "events": reverse("calendar:events"),
        "act": reverse("calendar:act", args=["REFERENCE", "VERB"]),
        "booking": reverse("backoffice:booking", args=["REFERENCE"]),
        "staff": chosen,
        "pending": pending_only,
        "view": view,
        "date": initial.isoformat(),
        # The calendar runs in "UTC" over wall-clock times: its "now" is the business's.
        "now": wallclock.wall(now, zone).isoformat(timespec="seconds"),
        "locale": translation.get_language() or "en",
        "resources": [{"id": r.id, "name": r.name} for r in staff],
        "words": {
            "pending": gettext("Pending"),
            "option": gettext("Option"),
            "moved": gettext("Moved."),
            "failed": gettext("The appointment could not be moved."),
        },
    }
    return render(
        request,
        "backoffice/calendar/calendar.html",
        {
            "staff": staff,
            "chosen": chosen,
            "pending_only": pending_only,
            "views": [
                ("day", _("Day")),
                ("week", _("Week")),
                ("month", _("Month")),
            ],
            "view": next(k for k, v in VIEWS.items() if v == view),
            "config": config,
            "legend": LEGEND,
            "pending": pending,
            "zone": zone,
            "feed": feed,
            "feed_url": request.build_absolute_uri(reverse("calendar:feed", args=[feed.token]))
            if feed
            else "",
            "mine": _mine(actor, staff),
            "jumped": jumped,
            "initial": initial,
            "reschedule": RescheduleForm(staff=staff, auto_id="id_move_%s"),
        },
    )


def _is_id(value: str) -> bool:
    """A database id as typed: digits that fit a 64-bit integer (PostgreSQL refuses more)."""
    return value.isascii() and value.isdigit() and 0 < int(value) < 2**63


def _first_busy_week(
    actor: Actor, chosen: str, pending_only: bool, zone: Any, now: datetime
) -> tuple[date, bool]:
    """Today, unless this week (Monday to Sunday) has no appointment left and a later one
    exists: then that one's day, so the calendar never opens on an empty week when there
    is work ahead (the page says it jumped)."""
    today = timezone.localtime(now, zone).date()
    monday = today - timedelta(days=today.weekday())
    week_end = datetime.combine(monday + timedelta(days=7), datetime.min.time(), tzinfo=zone)
    upcoming = appointments(
        actor.organisation_id,
        start=now,
        end=now + timedelta(days=366),
        resource_ids=[int(chosen)] if chosen else None,
        **({"states": [State.REQUEST.value]} if pending_only else {}),
    )
    first = upcoming.values_list("starts_at", flat=True).first()
    if first is None or first < week_end:
        return today, False
    return timezone.localtime(first, zone).date(), True


def _wall_param(value: str) -> datetime | None:
    """A time the calendar sends: ISO, any offset it adds ignored (its zone is "UTC")."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        return None
    return moment.replace(tzinfo=None)


@login_required
@require_GET
def events(request: HttpRequest) -> JsonResponse:
    """The appointments overlapping [start, end) for FullCalendar, in the organisation's
    wall-clock time. `staff`: one staff member's; `pending=1`: requests only."""
    actor = staff_actor(request)
    zone = timezone.get_current_timezone()
    start = _wall_param(request.GET.get("start", ""))
    end = _wall_param(request.GET.get("end", ""))
    if start is None or end is None or not start < end <= start + MAX_RANGE:
        return JsonResponse({"code": "invalid", "message": str(BAD_RANGE)}, status=400)
    # The edges of the range, whatever the clocks did: a day is midnight to midnight.
    start_at = start.replace(tzinfo=zone)
    end_at = end.replace(tzinfo=zone)
    staff = request.GET.get("staff", "")
    states = [State.REQUEST.value] if request.GET.get("pending") in ("1", "true") else None
    lines = appointments(
        actor.organisation_id,
        start=start_at,
        end=end_at,
        resource_ids=[int(staff)] if _is_id(staff) else None,
        **({"states": states} if states else {}),
    )
    now = now_or(None)
    return JsonResponse([_event(line, actor, zone, now) for line in lines], safe=False)


def _event(line: BookingLine, actor: Actor, zone: Any, now: datetime) -> dict[str, Any]:
    booking = line.booking
    state = booking.state
    allowed = allowed_actions(actor, booking, now=now)
    customer = booking.customer.name if booking.customer else booking.reference
    title = f"{customer} · {line.service.name}"
    if state in TITLES:  # the state in words too: never colour alone
        title = str(TITLES[state]) % {"title": title}
    return {
        "id": str(line.id),
        "title": title,
        "start": wallclock.wall(line.starts_at, zone).isoformat(timespec="seconds"),
        "end": wallclock.wall(line.ends_at, zone).isoformat(timespec="seconds"),
        "classNames": [f"appt-{state}"],
        # Dragging is a move: offered where the move is.
        "editable": Action.MOVE in allowed and line.starts_at > now,
        "extendedProps": {
            "reference": booking.reference,
            "state": state,
            "stateLabel": str(booking_labels.label(booking_labels.STATES, state)),
            "customer": customer,
            "service": line.service.name,
            "price": line.service_price.name,
            "resource": line.resource_id,
            "resourceName": line.resource.name,
            "when": timezone.localtime(line.starts_at, zone).strftime("%Y-%m-%dT%H:%M"),
            "actions": [a.value for a in allowed if a in (Action.APPROVE, Action.DECLINE)]
            + (["move"] if Action.MOVE in allowed else []),
        },
    }


class RescheduleForm(forms.Form):
    """Seed 003's *Reschedule*: another staff member, date or time; a private note the
    customer never sees; optionally tell the customer, with a message."""

    resource = forms.TypedChoiceField(label=_("Staff member"), coerce=int, required=False)
    day = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    at = forms.TimeField(
        label=_("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    reason = forms.CharField(
        label=_("Private note"),
        help_text=_("For staff: kept in the history, never sent to the customer."),
        widget=forms.Textarea({"rows": 2}),
        **TEXT,
    )
    notify = forms.BooleanField(label=_("Notify the customer by email"), required=False)
    message = forms.CharField(
        label=_("Message to the customer"),
        help_text=_("Added to the email the customer receives."),
        widget=forms.Textarea({"rows": 2}),
        **TEXT,
    )

    def __init__(self, *args: Any, staff: list[Resource], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = [("", _("The same"))] + [(r.id, r.name) for r in staff]


class DecisionForm(forms.Form):
    notify = forms.BooleanField(required=False)
    message = forms.CharField(**TEXT)


@login_required
@require_POST
def act(request: HttpRequest, reference: str, verb: str) -> JsonResponse:
    """Approve, decline or reschedule one appointment; JSON for the calendar's dialog:
    `{"message"}` on success, `{"code", "message", "fields"}` and a 4xx on a refusal."""
    actor = staff_actor(request)
    zone = timezone.get_current_timezone()
    try:
        booking = access_booking_by_reference(actor, reference)
        if verb == "approve":
            decision = _decision(request)
            actions.approve_booking(booking.id, actor=actor, reason=decision)
        elif verb == "decline":
            decision = _decision(request)
            actions.decline_booking(booking.id, actor=actor, reason=decision)
        elif verb == "move":
            _move(request, actor, booking.id, zone)
        else:
            return _refusal("not_found", gettext("Not found."), 404)
    except _FormRefused as refused:
        return JsonResponse(
            {
                "code": "invalid",
                "message": gettext("Please correct the form."),
                "fields": refused.fields,
            },
            status=422,
        )
    except DomainError as error:
        field = "day" if error.code in ("invalid", "slot_taken", "deadline_unreachable") else ""
        fields = {field: [error.text]} if field and verb == "move" else {}
        return JsonResponse(
            {"code": error.code, "message": error.text, "fields": fields}, status=error.status
        )
    return JsonResponse({"message": str(DONE[verb]) % {"reference": reference}})


def _refusal(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "fields": {}}, status=status)


class _FormRefused(Exception):
    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__("invalid form")
        self.fields = fields


def _decision(request: HttpRequest) -> str:
    """The message for the customer's email (approve and decline always email the customer;
    an unticked "add a message" sends no message)."""
    form = DecisionForm(request.POST)
    if not form.is_valid():
        raise _FormRefused({k: [str(m) for m in v] for k, v in form.errors.items()})
    return form.cleaned_data["message"] if form.cleaned_data["notify"] else ""


def _move(request: HttpRequest, actor: Actor, booking_id: int, zone: Any) -> None:
    staff = _staff(actor)
    if "starts_at" in request.POST:  # dragged on the calendar: the new wall-clock start
        naive = _wall_param(request.POST["starts_at"])
        if naive is None:
            raise _FormRefused({"day": [str(_("Enter a valid date and time."))]})
        resource = request.POST.get("resource", "")
        data = {
            "day": naive.date(),
            "at": naive.time(),
            "resource": int(resource) if _is_id(resource) else None,
            "reason": "",
            "notify": request.POST.get("notify") in ("1", "on", "true"),
            "message": "",
        }
    else:
        form = RescheduleForm(request.POST, staff=staff)
        if not form.is_valid():
            raise _FormRefused({k: [str(m) for m in v] for k, v in form.errors.items()})
        data = form.cleaned_data
    starts_at = None
    if data["day"] or data["at"]:
        if not (data["day"] and data["at"]):
            raise _FormRefused({"day": [str(_("Give both the date and the time."))]})
        starts_at = wallclock.to_instant(datetime.combine(data["day"], data["at"]), zone)
        if starts_at is None:
            raise _FormRefused({"at": [str(NO_SUCH_TIME)]})
    actions.move_booking(
        booking_id,
        actor=actor,
        to=actions.Destination(starts_at=starts_at, resource_id=data["resource"] or None),
        reason=data["reason"],
        message=data["message"] if data["notify"] else "",
        notify=bool(data["notify"]),
    )
