"""Back-office pages for capacity reserves (seed 002).

- `/staff/reserves/`: the organisation's reserves; owners and managers create them.
- `/staff/reserves/<id>/`: one reserve: settings, who has access, places per date and
  ticket type (set, release, scheduled release), and booking from it for staff with access.
- `/staff/reserves/dates/<date_id>/`: the date report (capacity, sold, held, each reserve
  assigned / drawn / left, free).

Views parse a form, call the action, and show its refusal (a typed DomainError with a
translated message) on the page with the error's HTTP status. Rights are the actions'.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tentative.accounts.models import Customer, StaffMembership
from tentative.audit.models import AuditEntry
from tentative.backoffice.access import staff_actor
from tentative.backoffice.history import history_sentences
from tentative.bookings import actions as booking_actions
from tentative.bookings import labels
from tentative.bookings.actions import MAX_QUANTITY
from tentative.bookings.models import Channel
from tentative.catalog.models import EventDate, TicketType
from tentative.core.states import State
from tentative.inventory import actions
from tentative.inventory.access import access_reserve, may_draw, may_manage, visible_reserves
from tentative.inventory.actions import MAX_PLACES
from tentative.inventory.models import Reserve
from tentative.inventory.selectors import date_report, reserve_dates, reserve_pools
from tentative.shared.actor import Actor
from tentative.shared.errors import DomainError, NotFound

INVALID = _("Please correct the form.")
DONE = _("Saved.")
BOOKED = _("Booked %(quantity)s from “%(name)s”: booking %(reference)s.")
SEATING_NOTE = _(
    "Reserved seating does not exist in Tentative yet: every price counts places, so any "
    "price can be reserved."
)
UPCOMING_LIMIT = 200


class ReserveForm(forms.Form):
    name = forms.CharField(max_length=200, label=_("Name"))
    kind = forms.ChoiceField(choices=Reserve.Kind.choices, label=_("Type"))
    audience = forms.ChoiceField(choices=Reserve.Audience.choices, label=_("Restrictions"))
    members = forms.TypedMultipleChoiceField(coerce=int, required=False, label=_("Selected users"))
    cancelled_places_to = forms.ChoiceField(
        choices=Reserve.CancelledPlaces.choices, label=_("A cancelled booking's places")
    )
    release_before_hours = forms.IntegerField(
        min_value=1,
        max_value=366 * 24,
        required=False,
        label=_("Release undrawn places this many hours before each date"),
    )

    def __init__(self, *args: Any, staff: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = staff  # type: ignore[attr-defined]


class RenameForm(forms.Form):
    name = forms.CharField(max_length=200)


class RestrictForm(forms.Form):
    audience = forms.ChoiceField(choices=Reserve.Audience.choices)
    members = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, *args: Any, staff: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = staff  # type: ignore[attr-defined]


class ConfigureForm(forms.Form):
    kind = forms.ChoiceField(choices=Reserve.Kind.choices)
    cancelled_places_to = forms.ChoiceField(choices=Reserve.CancelledPlaces.choices)
    release_before_hours = forms.IntegerField(min_value=1, max_value=366 * 24, required=False)


class OfferForm(forms.Form):
    """A date and ticket type, posted as one `date_id:type_id` value."""

    offer = forms.RegexField(regex=r"^\d{1,18}:\d{1,18}$")

    def ids(self) -> tuple[int, int]:
        date_id, type_id = self.cleaned_data["offer"].split(":")
        return int(date_id), int(type_id)


class AllocationForm(OfferForm):
    quantity = forms.IntegerField(min_value=0, max_value=MAX_PLACES)


class ReleaseForm(OfferForm):
    quantity = forms.IntegerField(min_value=1, max_value=MAX_PLACES, required=False)


class ScheduleForm(forms.Form):
    event_date = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    hours_before = forms.IntegerField(min_value=1, max_value=366 * 24, required=False)


class BookForm(OfferForm):
    quantity = forms.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    mode = forms.ChoiceField(
        choices=[(State.CONFIRMED.value, _("Confirmed")), (State.OPTION.value, _("Option"))]
    )
    customer = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    attendee = forms.CharField(max_length=200, required=False)


def _staff_choices(actor: Actor) -> list[tuple[int, str]]:
    return [
        (m.id, f"{m.user.get_username()} ({labels.label(labels.ROLES, m.role)})")
        for m in StaffMembership.objects.filter(organisation_id=actor.organisation_id)
        .select_related("user")
        .order_by("user__username")
    ]


def _hours(value: int | None) -> timedelta | None:
    return None if value is None else timedelta(hours=value)


@login_required
def reserves(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    staff = _staff_choices(actor)
    form = ReserveForm(request.POST or None, staff=staff)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                reserve = actions.create_reserve(
                    actor.organisation_id,  # type: ignore[arg-type]
                    actor=actor,
                    name=data["name"],
                    kind=data["kind"],
                    audience=data["audience"],
                    member_ids=data["members"],
                    cancelled_places_to=data["cancelled_places_to"],
                    release_before=_hours(data["release_before_hours"]),
                )
            except DomainError as error:
                messages.error(request, error.text)
                status = error.status
            else:
                messages.success(request, DONE)
                return redirect("backoffice:reserve", reserve_id=reserve.id)
        else:
            messages.error(request, INVALID)
            status = 422
    rows = list(visible_reserves(actor).order_by("archived_at", "name"))
    return render(
        request,
        "backoffice/reserves.html",
        {
            "reserves": [(r, may_draw(actor, r)) for r in rows],
            "form": form,
            "may_manage": may_manage(actor),
            "seating_note": SEATING_NOTE,
        },
        status=status,
    )


def _get(actor: Actor, reserve_id: int) -> Reserve:
    """Another organisation's reserve (or none) is a plain 404 page."""
    try:
        return access_reserve(actor, reserve_id)
    except NotFound:
        raise Http404() from None


@login_required
def reserve(request: HttpRequest, reserve_id: int) -> HttpResponse:
    actor = staff_actor(request)
    return _detail(request, actor, _get(actor, reserve_id), status=200)


def _detail(request: HttpRequest, actor: Actor, found: Reserve, *, status: int) -> HttpResponse:
    now = timezone.now()
    pools = reserve_pools(found)
    dates = reserve_dates(found)
    upcoming = list(
        EventDate.objects.filter(
            event__organisation_id=actor.organisation_id, starts_at__gt=now, pools__isnull=False
        )
        .select_related("event")
        .distinct()
        .order_by("starts_at")[:UPCOMING_LIMIT]
    )
    types = TicketType.objects.filter(event_id__in={d.event_id for d in upcoming}).order_by("name")
    offers = [(d, t) for d in upcoming for t in types if t.event_id == d.event_id]
    member_ids = set(found.members.values_list("id", flat=True))
    return render(
        request,
        "backoffice/reserves_detail.html",
        {
            "reserve": found,
            "by_date": [
                (date_pools[0].event_date, date_pools, dates.get(date_id))
                for date_id, date_pools in pools.items()
            ],
            "offers": offers,
            "upcoming": upcoming,
            "staff": [(mid, label, mid in member_ids) for mid, label in _staff_choices(actor)],
            "may_manage": may_manage(actor) and found.archived_at is None,
            "may_draw": may_draw(actor, found),
            "audit": history_sentences(
                AuditEntry.objects.filter(
                    organisation_id=found.organisation_id,
                    booking=None,
                    action__startswith="reserve.",
                    data__reserve=found.id,
                )
                .select_related("actor_user")
                .order_by("-at", "-id")[:50]
            ),
            "seating_note": SEATING_NOTE,
        },
        status=status,
    )


@login_required
@require_POST
def reserve_action(request: HttpRequest, reserve_id: int, verb: str) -> HttpResponse:
    """One POST per verb; success redirects to the reserve, a refusal renders it with the
    refusal's message and HTTP status."""
    actor = staff_actor(request)
    handler = VERBS.get(verb)
    _get(actor, reserve_id)
    if handler is None:
        raise Http404()
    try:
        done = handler(request, actor, reserve_id)
    except DomainError as error:
        messages.error(request, error.text)
        return _detail(request, actor, _get(actor, reserve_id), status=error.status)
    except _Invalid:
        messages.error(request, INVALID)
        return _detail(request, actor, _get(actor, reserve_id), status=422)
    messages.success(request, done or DONE)
    return redirect("backoffice:reserve", reserve_id=reserve_id)


class _Invalid(Exception):
    pass


def _valid(form: forms.Form) -> dict[str, Any]:
    if not form.is_valid():
        raise _Invalid()
    return form.cleaned_data


def _rename(request: HttpRequest, actor: Actor, reserve_id: int) -> Any:
    data = _valid(RenameForm(request.POST))
    actions.rename_reserve(reserve_id, actor=actor, name=data["name"])


def _restrict(request: HttpRequest, actor: Actor, reserve_id: int) -> Any:
    data = _valid(RestrictForm(request.POST, staff=_staff_choices(actor)))
    actions.restrict_reserve(
        reserve_id, actor=actor, audience=data["audience"], member_ids=data["members"]
    )


def _configure(request: HttpRequest, actor: Actor, reserve_id: int) -> Any:
    data = _valid(ConfigureForm(request.POST))
    actions.configure_reserve(
        reserve_id,
        actor=actor,
        kind=data["kind"],
        cancelled_places_to=data["cancelled_places_to"],
        release_before=_hours(data["release_before_hours"]),
    )


def _archive(request: HttpRequest, actor: Actor, reserve_id: int) -> Any:
    actions.archive_reserve(reserve_id, actor=actor)


def _allocate(request: HttpRequest, actor: Actor, reserve_id: int) -> Any:
    form = AllocationForm(request.POST)
    data = _valid(form)
    date_id, type_id = form.ids()
    actions.set_allocation(
        reserve_id,
        actor=actor,
        event_date_id=date_id,
        ticket_type_id=type_id,
        quantity=data["quantity"],
    )


def _release(request: HttpRequest, actor: Actor, reserve_id: int) -> Any:
    form = ReleaseForm(request.POST)
    data = _valid(form)
    date_id, type_id = form.ids()
    actions.release_places(
        reserve_id,
        actor=actor,
        event_date_id=date_id,
        ticket_type_id=type_id,
        quantity=data["quantity"],
    )


def _schedule(request: HttpRequest, actor: Actor, reserve_id: int) -> Any:
    data = _valid(ScheduleForm(request.POST))
    date = EventDate.objects.filter(
        id=data["event_date"], event__organisation_id=actor.organisation_id
    ).first()
    if date is None:
        raise NotFound()
    hours = data["hours_before"]
    actions.schedule_release(
        reserve_id,
        actor=actor,
        event_date_id=date.id,
        release_at=None if hours is None else date.starts_at - timedelta(hours=hours),
    )


def _book(request: HttpRequest, actor: Actor, reserve_id: int) -> Any:
    form = BookForm(request.POST)
    data = _valid(form)
    date_id, type_id = form.ids()
    found = _get(actor, reserve_id)
    customer_id = data["customer"]
    if (
        customer_id
        and not Customer.objects.filter(
            id=customer_id, organisation_id=actor.organisation_id
        ).exists()
    ):
        raise NotFound()
    attendee = data["attendee"]
    booking = booking_actions.create_booking(
        actor=actor,
        organisation_id=actor.organisation_id,  # type: ignore[arg-type]
        mode=State(data["mode"]),
        lines=[
            booking_actions.LineRequest(
                event_date_id=date_id,
                ticket_type_id=type_id,
                quantity=data["quantity"],
                participants=((attendee, ""),) if attendee else (),
                reserve_id=found.id,
            )
        ],
        customer_id=customer_id,
        channel=Channel.BOX_OFFICE,
    )
    return BOOKED % {
        "quantity": data["quantity"],
        "name": found.name,
        "reference": booking.reference,
    }


VERBS = {
    "rename": _rename,
    "restrict": _restrict,
    "configure": _configure,
    "archive": _archive,
    "allocate": _allocate,
    "release": _release,
    "schedule": _schedule,
    "book": _book,
}


@login_required
def report(request: HttpRequest, date_id: int) -> HttpResponse:
    actor = staff_actor(request)
    date = (
        EventDate.objects.select_related("event")
        .filter(id=date_id, event__organisation_id=actor.organisation_id)
        .first()
    )
    if date is None:
        raise Http404()
    return render(
        request,
        "backoffice/reserves_report.html",
        {"report": date_report(date), "seating_note": SEATING_NOTE},
    )
