"""Appointment services and the staff members' hours, for staff (issue 13 items 1 and 2):
`/staff/services/`.

- The list of appointment services (duration, price, who delivers it, approval) and of
  the staff members with their weekly hours in one line.
- A service's form: duration and buffers, price, minimum notice, horizon, slot step, who
  delivers it, and the approval settings of seed 003 (*approve or decline requests
  manually*, refused for group classes and for services sold in packages with Wix's
  messages; *several clients may request the same slot*; approval only below N hours'
  notice; decide within N days), then the custom fields of its booking form
  (`catalog.Question`).
- A staff member's page: weekly hours (up to two ranges a day), days off and one-off
  exceptions (closed, or extra opening hours), in the organisation's time zone.

Every change goes through a catalog action (one module per verb, audit entry inside);
refusals come back next to their field, the typed values kept. Everyone on the staff reads
these pages; owners and managers change them (the actions check, the pages hide the forms).
"""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tentative.backoffice.access import staff_actor
from tentative.backoffice.questions import QuestionForm
from tentative.catalog import selectors
from tentative.catalog.access import access_resource, access_service, may_manage_catalogue
from tentative.catalog.actions.add_hours_exception import add_hours_exception
from tentative.catalog.actions.add_service_question import add_service_question
from tentative.catalog.actions.create_service import create_service
from tentative.catalog.actions.remove_hours_exception import remove_hours_exception
from tentative.catalog.actions.remove_service_question import remove_service_question
from tentative.catalog.actions.set_working_hours import set_working_hours
from tentative.catalog.actions.update_service import update_service
from tentative.catalog.models import HoursException, Resource, Service, Weekday
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.errors import DomainError, Forbidden, NotFound

INVALID = _("Please correct the form.")
SAVED = _("Saved.")
CREATED = _("Service created.")
HOURS_SAVED = _("Working hours saved.")
EXCEPTION_ADDED = _("Added to the hours.")
EXCEPTION_REMOVED = _("Removed from the hours.")
QUESTION_ADDED = _("Field added to the booking form.")
QUESTION_REMOVED = _("Field removed from the booking form.")
RANGES_PER_DAY = 2
START, END = "start", "end"
BOTH_TIMES = _("Give both the start and the end, or neither.")
MINUTES = {"min_value": 0, "max_value": 24 * 60 * 30}

# A refusal's field in the action -> the form's field.
FIELD_OF = {
    "requests_hold_capacity": "several_may_request",
    "resources": "staff",
}


def _minutes(label: Any, *, required: bool = True, help_text: Any = "") -> forms.IntegerField:
    return forms.IntegerField(label=label, required=required, help_text=help_text, **MINUTES)


class ServiceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea({"rows": 3})
    )
    duration = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, max_value=24 * 60)
    buffer_before = _minutes(
        _("Buffer before (minutes)"), help_text=_("Preparation: the staff member is busy.")
    )
    buffer_after = _minutes(
        _("Buffer after (minutes)"), help_text=_("Tidying up or travel after the appointment.")
    )
    price = forms.DecimalField(label=_("Price"), min_value=Decimal(0), decimal_places=2)
    staff = forms.TypedMultipleChoiceField(
        label=_("Staff members who deliver it"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    max_participants = forms.IntegerField(
        label=_("Clients per appointment"),
        min_value=1,
        max_value=500,
        help_text=_("More than one makes it a group class."),
    )
    min_notice = forms.IntegerField(
        label=_("Minimum notice (hours)"),
        min_value=0,
        max_value=24 * 365,
        help_text=_("How long before the start a booking must be made."),
    )
    horizon_days = forms.IntegerField(
        label=_("Bookable up to (days ahead)"), min_value=1, max_value=3660
    )
    slot_step = _minutes(
        _("Offer a start time every (minutes)"),
        required=False,
        help_text=_("Empty: one after another, every duration."),
    )
    requires_approval = forms.BooleanField(
        label=_("Approve or decline requests manually"), required=False
    )
    approval_note = forms.CharField(
        label=_("What customers read about approval"),
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )
    several_may_request = forms.BooleanField(
        label=_("Several clients may request the same slot"),
        required=False,
        help_text=_(
            "On: the slot stays available until you approve a request (approving one "
            "declines the others). Off: a request makes the slot unavailable."
        ),
    )
    approval_below_hours = forms.IntegerField(
        label=_("Approval only for requests made less than this many hours ahead"),
        required=False,
        min_value=1,
        max_value=24 * 365,
        help_text=_("Empty: every request needs approval. Earlier ones are confirmed at once."),
    )
    decision_days = forms.IntegerField(
        label=_("Decide within (days)"),
        required=False,
        min_value=1,
        max_value=365,
        help_text=_("A request not answered by then expires; the customer is told."),
    )
    sold_in_packages = forms.BooleanField(
        label=_("Sold through a membership or a package"), required=False
    )

    def __init__(self, *args: Any, staff: list[Resource], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].choices = [(r.id, r.name) for r in staff]

    def settings(self) -> dict[str, Any]:
        data = self.cleaned_data
        minutes = timedelta(minutes=1)
        return {
            "name": data["name"],
            "description": data["description"],
            "duration": data["duration"] * minutes,
            "buffer_before": data["buffer_before"] * minutes,
            "buffer_after": data["buffer_after"] * minutes,
            "max_participants": data["max_participants"],
            "min_notice": timedelta(hours=data["min_notice"]),
            "horizon_days": data["horizon_days"],
            "slot_step": data["slot_step"] * minutes if data["slot_step"] else None,
            "requires_approval": data["requires_approval"],
            "approval_note": data["approval_note"],
            "requests_hold_capacity": not data["several_may_request"],
            "approval_below_hours": data["approval_below_hours"],
            "decision_days": data["decision_days"],
            "sold_in_packages": data["sold_in_packages"],
        }

    def refused(self, error: DomainError) -> None:
        fields = getattr(error, "fields", None) or {}
        for name, errors in fields.items():
            target = FIELD_OF.get(name, name)
            for message in errors:
                self.add_error(target if target in self.fields else None, message)
        if not fields:
            self.add_error(None, error.text)


def _initial(service: Service) -> dict[str, Any]:
    price = service.prices.order_by("id").first()
    return {
        "name": service.name,
        "description": service.description,
        "duration": int(service.duration.total_seconds() // 60),
        "buffer_before": int(service.buffer_before.total_seconds() // 60),
        "buffer_after": int(service.buffer_after.total_seconds() // 60),
        "price": price.price if price else Decimal(0),
        "staff": list(service.resources.values_list("id", flat=True)),
        "max_participants": service.max_participants,
        "min_notice": int(service.min_notice.total_seconds() // 3600),
        "horizon_days": service.horizon_days,
        "slot_step": int(service.slot_step.total_seconds() // 60) if service.slot_step else None,
        "requires_approval": service.requires_approval,
        "approval_note": service.approval_note,
        "several_may_request": not service.requests_hold_capacity,
        "approval_below_hours": service.approval_below_hours,
        "decision_days": service.decision_days,
        "sold_in_packages": service.sold_in_packages,
    }


NEW_SERVICE = {
    "duration": 60,
    "buffer_before": 0,
    "buffer_after": 0,
    "price": Decimal(0),
    "max_participants": 1,
    "min_notice": 0,
    "horizon_days": 90,
}


def _staff(actor: Actor) -> list[Resource]:
    return [
        r
        for r in selectors.resources_of(actor.organisation_id)  # type: ignore[arg-type]
        if r.kind == Resource.Kind.STAFF
    ]


def _hours_line(hours: list[Any]) -> list[tuple[str, str]]:
    """(weekday, "09:00–12:00, 14:00–18:00") for the days with hours."""
    days: dict[int, list[str]] = {}
    for row in hours:
        days.setdefault(row.weekday, []).append(f"{row.starts:%H:%M}–{row.ends:%H:%M}")
    return [(str(Weekday(w).label), ", ".join(r)) for w, r in sorted(days.items())]


@login_required
def services(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    org_id = actor.organisation_id
    offered = [
        s
        for s in selectors.services_of(org_id)  # type: ignore[arg-type]
        if s.kind == Service.Kind.APPOINTMENT
    ]
    for s in offered:
        s.minutes = int(s.duration.total_seconds() // 60)  # type: ignore[attr-defined]
    staff = _staff(actor)
    hours: dict[int, list[Any]] = {}
    for row in selectors.working_hours_of_many([r.id for r in staff]):
        hours.setdefault(row.resource_id, []).append(row)
    return render(
        request,
        "backoffice/services/services.html",
        {
            "services": offered,
            "staff": [(r, _hours_line(hours.get(r.id, []))) for r in staff],
            "may_manage": may_manage_catalogue(actor),
            "slug": request.staff_organisation.slug,  # type: ignore[attr-defined]
        },
    )


@login_required
def new_service(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    staff = _staff(actor)
    form = ServiceForm(request.POST or None, staff=staff, initial=NEW_SERVICE)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                service = create_service(
                    actor=actor,
                    price=form.cleaned_data["price"],
                    resource_ids=form.cleaned_data["staff"],
                    settings=form.settings(),
                )
            except DomainError as error:
                form.refused(error)
                status = error.status
            else:
                messages.success(request, CREATED)
                return redirect("services:service", service.id)
        else:
            status = 422
    return render(
        request,
        "backoffice/services/service.html",
        {"form": form, "service": None, "may_manage": may_manage_catalogue(actor)},
        status=status,
    )


def _service(actor: Actor, service_id: int) -> Service:
    try:
        service = access_service(actor, service_id)
    except NotFound:
        raise Http404() from None
    if service.kind != Service.Kind.APPOINTMENT:
        raise Http404()
    return service


@login_required
def service(request: HttpRequest, service_id: int) -> HttpResponse:
    actor = staff_actor(request)
    found = _service(actor, service_id)
    staff = _staff(actor)
    form = ServiceForm(request.POST or None, staff=staff, initial=_initial(found))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                update_service(
                    found.id,
                    actor=actor,
                    settings=form.settings(),
                    price=form.cleaned_data["price"],
                    resource_ids=form.cleaned_data["staff"],
                )
            except DomainError as error:
                form.refused(error)
                status = error.status
            else:
                messages.success(request, SAVED)
                return redirect("services:service", found.id)
        else:
            status = 422
    return _service_page(request, actor, found, form=form, status=status)


def _service_page(
    request: HttpRequest,
    actor: Actor,
    found: Service,
    *,
    form: ServiceForm | None = None,
    question_form: QuestionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "backoffice/services/service.html",
        {
            "form": form or ServiceForm(staff=_staff(actor), initial=_initial(found)),
            "service": found,
            "questions": list(selectors.questions_of_service(found.id)),
            "question_form": question_form or QuestionForm(auto_id="id_q_%s"),
            "may_manage": may_manage_catalogue(actor),
            "public_url": reverse(
                "appointments:service",
                args=[request.staff_organisation.slug, found.id],  # type: ignore[attr-defined]
            ),
        },
        status=status,
    )


@login_required
@require_POST
def add_question(request: HttpRequest, service_id: int) -> HttpResponse:
    actor = staff_actor(request)
    found = _service(actor, service_id)
    form = QuestionForm(request.POST, auto_id="id_q_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            add_service_question(
                found.id,
                actor=actor,
                label=data["label"],
                kind=data["kind"],
                help=data["help"],
                required=data["required"],
                choices=data["choices"].splitlines(),
            )
        except DomainError as error:
            for name, errors in (getattr(error, "fields", None) or {None: [error.text]}).items():
                for message in errors:
                    form.add_error(name if name in form.fields else None, message)
            return _service_page(request, actor, found, question_form=form, status=error.status)
        messages.success(request, QUESTION_ADDED)
        return redirect(reverse("services:service", args=[found.id]) + "#questions")
    return _service_page(request, actor, found, question_form=form, status=422)


@login_required
@require_POST
def remove_question(request: HttpRequest, service_id: int, question_id: int) -> HttpResponse:
    actor = staff_actor(request)
    found = _service(actor, service_id)
    try:
        remove_service_question(found.id, question_id, actor=actor)
    except NotFound:
        raise Http404() from None
    except Forbidden:
        raise PermissionDenied from None
    messages.success(request, QUESTION_REMOVED)
    return redirect(reverse("services:service", args=[found.id]) + "#questions")


class HoursForm(forms.Form):
    """The week: up to two ranges a day, `d<weekday>_<n>_start` / `_end`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for weekday, label in Weekday.choices:
            for n in range(1, RANGES_PER_DAY + 1):
                for edge, word in ((START, _("from")), (END, _("to"))):
                    name = f"{label} {n}, {word}"
                    self.fields[f"d{weekday}_{n}_{edge}"] = forms.TimeField(
                        label=name,
                        required=False,
                        widget=forms.TimeInput(
                            attrs={"type": "time", "aria-label": name}, format="%H:%M"
                        ),
                    )

    def days(self) -> list[tuple[str, list[tuple[forms.BoundField, forms.BoundField]]]]:
        return [
            (
                str(label),
                [
                    (self[f"d{weekday}_{n}_start"], self[f"d{weekday}_{n}_end"])
                    for n in range(1, RANGES_PER_DAY + 1)
                ],
            )
            for weekday, label in Weekday.choices
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for weekday, _label in Weekday.choices:
            for n in range(1, RANGES_PER_DAY + 1):
                start, end = data.get(f"d{weekday}_{n}_start"), data.get(f"d{weekday}_{n}_end")
                if (start is None) != (end is None) and f"d{weekday}_{n}_end" not in self.errors:
                    self.add_error(f"d{weekday}_{n}_end", BOTH_TIMES)
        return data

    def ranges(self) -> list[tuple[int, time, time]]:
        data = self.cleaned_data
        out = []
        for weekday, _label in Weekday.choices:
            for n in range(1, RANGES_PER_DAY + 1):
                start, end = data.get(f"d{weekday}_{n}_start"), data.get(f"d{weekday}_{n}_end")
                if start is not None and end is not None:
                    out.append((weekday, start, end))
        return out


def _hours_initial(resource_id: int) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    count: dict[int, int] = {}
    for row in selectors.working_hours_of(resource_id):
        n = count[row.weekday] = count.get(row.weekday, 0) + 1
        if n <= RANGES_PER_DAY:
            initial[f"d{row.weekday}_{n}_start"] = row.starts
            initial[f"d{row.weekday}_{n}_end"] = row.ends
    return initial


class ExceptionForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"), choices=HoursException.Kind.choices)
    first_day = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(
        label=_("To (included)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: the same day."),
    )
    starts = forms.TimeField(
        label=_("From (time)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("Empty for a whole day off."),
    )
    ends = forms.TimeField(
        label=_("To (time)"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


def _resource(actor: Actor, resource_id: int) -> Resource:
    try:
        resource = access_resource(actor, resource_id)
    except NotFound:
        raise Http404() from None
    if resource.kind != Resource.Kind.STAFF:
        raise Http404()
    return resource


def _hours_page(
    request: HttpRequest,
    actor: Actor,
    resource: Resource,
    *,
    form: HoursForm | None = None,
    exception_form: ExceptionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = now_or(None).date()
    return render(
        request,
        "backoffice/services/hours.html",
        {
            "resource": resource,
            "form": form or HoursForm(initial=_hours_initial(resource.id), auto_id="id_h_%s"),
            "exception_form": exception_form or ExceptionForm(auto_id="id_x_%s"),
            "exceptions": list(selectors.hours_exceptions_of(resource.id, since=today)),
            "may_manage": may_manage_catalogue(actor),
        },
        status=status,
    )


@login_required
def hours(request: HttpRequest, resource_id: int) -> HttpResponse:
    actor = staff_actor(request)
    resource = _resource(actor, resource_id)
    if request.method != "POST":
        return _hours_page(request, actor, resource)
    form = HoursForm(request.POST, auto_id="id_h_%s")
    if not form.is_valid():
        return _hours_page(request, actor, resource, form=form, status=422)
    try:
        set_working_hours(resource.id, actor=actor, ranges=form.ranges())
    except DomainError as error:
        for message in (getattr(error, "fields", None) or {}).get("hours", [error.text]):
            form.add_error(None, message)
        return _hours_page(request, actor, resource, form=form, status=error.status)
    messages.success(request, HOURS_SAVED)
    return redirect("services:hours", resource.id)


@login_required
@require_POST
def add_exception(request: HttpRequest, resource_id: int) -> HttpResponse:
    actor = staff_actor(request)
    resource = _resource(actor, resource_id)
    form = ExceptionForm(request.POST, auto_id="id_x_%s")
    if not form.is_valid():
        return _hours_page(request, actor, resource, exception_form=form, status=422)
    data = form.cleaned_data
    try:
        add_hours_exception(
            resource.id,
            actor=actor,
            kind=data["kind"],
            first_day=data["first_day"],
            last_day=data["last_day"],
            starts=data["starts"],
            ends=data["ends"],
            note=data["note"],
        )
    except DomainError as error:
        fields = getattr(error, "fields", None) or {None: [error.text]}
        for name, errors in fields.items():
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
        return _hours_page(request, actor, resource, exception_form=form, status=error.status)
    messages.success(request, EXCEPTION_ADDED)
    return redirect(reverse("services:hours", args=[resource.id]) + "#exceptions")


@login_required
@require_POST
def remove_exception(request: HttpRequest, resource_id: int, exception_id: int) -> HttpResponse:
    actor = staff_actor(request)
    resource = _resource(actor, resource_id)
    if not any(e.id == exception_id for e in selectors.hours_exceptions_of(resource.id)):
        raise Http404()
    try:
        remove_hours_exception(exception_id, actor=actor)
    except Forbidden:
        raise PermissionDenied from None
    messages.success(request, EXCEPTION_REMOVED)
    return redirect(reverse("services:hours", args=[resource.id]) + "#exceptions")
