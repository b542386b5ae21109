"""Catalogue pages: events, their dates (one or a weekly series), ticket types with their
terms and prices, capacities and quotas per date (issue 11 item 2).

- `/staff/catalogue/`: the events, and a form to create one.
- `/staff/catalogue/events/<id>/`: the event, its dates with capacity and what is taken, a
  form to add a date or a series, its ticket types with their quota per date.
- `/staff/catalogue/events/<id>/types/new/`, `/staff/catalogue/types/<id>/`: a ticket type.
- `/staff/catalogue/rule-preview/`: the deadline rule as customers and staff read it, for the
  live preview beside the two fields (a small `fetch` in the page; no library needed).

Everyone on the staff reads these pages; owners and managers change them (the actions say
so, and a refusal is shown with its status). A form with bad input comes back with the
error next to its field and what was typed kept (status 422); a domain refusal (below what
is booked, say) is shown at the top with its status; nothing is written in either case.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.validators import MaxValueValidator
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tentative.backoffice.access import staff_actor
from tentative.backoffice.posting import INVALID, flash_refusal, found_or_404, submit
from tentative.bookings.labels import rule_text
from tentative.catalog import actions
from tentative.catalog.access import (
    access_date,
    access_event,
    access_ticket_type,
    may_manage_catalogue,
    visible_events,
)
from tentative.catalog.errors import InvalidTerms
from tentative.catalog.models import CHARGE_CHOICES, Event, TicketType
from tentative.core.series import MAX_DATES, SeriesTooLong, local_instant, weekly
from tentative.inventory import actions as inventory
from tentative.inventory.models import CapacityPool
from tentative.shared.actor import Actor
from tentative.shared.errors import DomainError

SAVED = _("Saved.")
MAX_DAYS = 3660
MAX_RULE_DAYS = 3650  # ten years: beyond that a deadline rule is a typo
WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


def _no_markup(value: str) -> str:
    if "<" in value or ">" in value:
        raise forms.ValidationError(_("Angle brackets (< >) are not allowed here."))
    return value


class EventForm(forms.Form):
    name = forms.CharField(max_length=200, label=_("Name"), validators=[_no_markup])
    description = forms.CharField(
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Description"),
    )


class DatesForm(forms.Form):
    """One date, or a weekly series: from `first` to `last` on the ticked weekdays."""

    kind = forms.ChoiceField(
        choices=[("one", _("One date")), ("series", _("A weekly series"))],
        initial="one",
        widget=forms.RadioSelect,
        label=_("Add"),
    )
    first = forms.DateField(
        label=_("Date (or the series' first day)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    last = forms.DateField(
        required=False, label=_("Series: last day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    weekdays = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Series: on"),
    )
    time = forms.TimeField(
        label=_("Starts at (local time)"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    duration = forms.IntegerField(
        min_value=1, max_value=7 * 24 * 60, initial=120, label=_("Duration (minutes)")
    )
    capacity = forms.IntegerField(
        min_value=0, max_value=inventory.MAX_CAPACITY, label=_("Capacity (places per date)")
    )

    def __init__(self, *args: Any, zone: Any, now: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone, self.now = zone, now

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        first, at = data["first"], data["time"]
        duration = timedelta(minutes=data["duration"])
        if data["kind"] == "series":
            last, days = data.get("last"), data.get("weekdays")
            if last is None:
                self.add_error("last", _("A series needs its last day."))
            elif last < first:
                self.add_error("last", _("The last day comes after the first."))
            elif (last - first).days > MAX_DAYS:
                self.add_error("last", _("A series spans at most ten years."))
            if not days:
                self.add_error("weekdays", _("Tick at least one day of the week."))
            if self.errors:
                return data
            try:
                times = weekly(first, last, days, at, duration, self.zone)
            except SeriesTooLong:
                self.add_error("last", _("At most %(max)s dates at once.") % {"max": MAX_DATES})
                return data
            if not times:
                self.add_error("weekdays", _("No such weekday between these two days."))
        else:
            starts = local_instant(first, at, self.zone)
            times = [(starts, starts + duration)]
        if times and times[0][0] <= self.now:
            self.add_error("first", _("A new date must start in the future."))
        data["times"] = times
        return data


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(
        min_value=0, max_value=inventory.MAX_CAPACITY, label=_("Capacity")
    )


class QuotaForm(forms.Form):
    quota = forms.IntegerField(
        min_value=0,
        max_value=inventory.MAX_CAPACITY,
        required=False,
        label=_("Quota per date"),
    )


class TicketTypeForm(forms.ModelForm):
    """The model's own rules (price not negative, a charge the card window can honour) come
    back next to their fields; the action checks them again."""

    class Meta:
        model = TicketType
        fields = list(actions.TICKET_TYPE_FIELDS)
        labels = {
            "name": _("Name"),
            "description": _("Description"),
            "price": _("Price"),
            "requires_approval": _("Needs approval: staff accept or refuse each request"),
            "approval_note": _("What customers read online about the approval"),
            "approval_charge": _("How an approved request is charged"),
            "decision_days": _("Decide within (days)"),
            "requests_hold_capacity": _("A pending request holds its places"),
            "reservable": _("Reservable (may be booked as an option)"),
            "deadline_days_after_booking": _("Option deadline: days after booking"),
            "deadline_days_before_start": _("Option deadline: days before the date"),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "approval_note": forms.Textarea(attrs={"rows": 2}),
            "approval_charge": forms.Select(choices=CHARGE_CHOICES),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].validators.append(_no_markup)
        self.fields["price"].validators.append(MaxValueValidator(10**9))
        for name in ("deadline_days_after_booking", "deadline_days_before_start", "decision_days"):
            self.fields[name].validators.append(MaxValueValidator(MAX_RULE_DAYS))
            self.fields[name].widget.attrs.update({"min": 0, "max": MAX_RULE_DAYS})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("requires_approval") and not (data.get("approval_note") or "").strip():
            self.add_error(
                "approval_note",
                _("Tell customers online that their request will be approved by staff (and when)."),
            )
        return data

    def terms(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in actions.TICKET_TYPE_FIELDS}


def _terms_errors(form: forms.BaseForm, error: InvalidTerms) -> None:
    for field, texts in error.fields.items():
        for text in texts:
            form.add_error(field if field in form.fields else None, text)


def _terms_refused(form: forms.BaseForm, error: DomainError) -> str:
    """A refusal of the terms goes next to the fields it names."""
    if isinstance(error, InvalidTerms):
        _terms_errors(form, error)
        return str(INVALID)
    return str(error.text)


@login_required
def events(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    form = EventForm(request.POST or None)
    if request.method == "POST":

        def create(data: dict[str, Any]) -> HttpResponse:
            event = actions.create_event(
                actor.organisation_id,  # type: ignore[arg-type]
                actor=actor,
                name=data["name"],
                description=data["description"],
            )
            messages.success(request, SAVED)
            return redirect("backoffice:catalogue_event", event_id=event.id)

        return submit(
            request,
            form,
            act=create,
            again=lambda status: _events_page(request, actor, form, status),
            refused=_terms_refused,
        )
    return _events_page(request, actor, form, 200)


def _events_page(request: HttpRequest, actor: Actor, form: forms.Form, status: int) -> HttpResponse:
    now = timezone.now()
    rows = (
        visible_events(actor)
        .annotate(
            upcoming=Count("dates", filter=Q(dates__starts_at__gt=now), distinct=True),
            types=Count("ticket_types", distinct=True),
        )
        .order_by("name", "id")
    )
    return render(
        request,
        "backoffice/catalogue/events.html",
        {"events": rows, "form": form, "may_manage": may_manage_catalogue(actor)},
        status=status,
    )


def _event_page(
    request: HttpRequest,
    actor: Actor,
    event: Event,
    *,
    status: int = 200,
    event_form: forms.Form | None = None,
    dates_form: forms.Form | None = None,
    bound: dict[str, forms.Form] | None = None,
) -> HttpResponse:
    zone = event.organisation.zone
    now = timezone.now()
    pools = CapacityPool.objects.filter(event_date__event=event, reserve=None)
    general = {p.event_date_id: p for p in pools if p.ticket_type_id is None}
    quota_use = {
        row["ticket_type_id"]: row
        for row in pools.exclude(ticket_type=None)
        .values("ticket_type_id")
        .annotate(taken=Sum("taken"), aside=Sum("set_aside"))
    }
    bound = bound or {}
    dates = []
    for date in event.dates.all():
        key = f"capacity-{date.id}"
        pool = general.get(date.id)
        form = bound.get(key) or CapacityForm(
            initial={"capacity": pool.capacity if pool else None}, prefix=key
        )
        dates.append({"date": date, "pool": pool, "form": form, "past": date.starts_at <= now})
    types = []
    for ticket_type in event.ticket_types.order_by("name", "id"):
        key = f"quota-{ticket_type.id}"
        form = bound.get(key) or QuotaForm(
            initial={"quota": ticket_type.quota_per_date}, prefix=key
        )
        types.append(
            {
                "type": ticket_type,
                "form": form,
                "rule": rule_text(ticket_type.deadline_rule(event.organisation)),
                "use": quota_use.get(ticket_type.id),
            }
        )
    return render(
        request,
        "backoffice/catalogue/event.html",
        {
            "event": event,
            "zone": zone,
            "dates": dates,
            "types": types,
            "event_form": event_form
            or EventForm(initial={"name": event.name, "description": event.description}),
            "dates_form": dates_form or DatesForm(zone=zone, now=now, initial={"kind": "one"}),
            "may_manage": may_manage_catalogue(actor),
        },
        status=status,
    )


def _event(actor: Actor, event_id: int) -> Event:
    event = found_or_404(access_event, actor, event_id)
    event.organisation  # noqa: B018 - loaded once for the zone
    return event  # type: ignore[no-any-return]


@login_required
def event(request: HttpRequest, event_id: int) -> HttpResponse:
    actor = staff_actor(request)
    found = _event(actor, event_id)
    if request.method != "POST":
        return _event_page(request, actor, found)
    form = EventForm(request.POST)
    return _from_event_page(
        request,
        actor,
        found,
        form,
        lambda data: actions.update_event(found.id, actor=actor, **data),
        again_with={"event_form": form},
        refused=_terms_refused,
    )


def _from_event_page(
    request: HttpRequest,
    actor: Actor,
    found: Event,
    form: forms.Form,
    change: Callable[[dict[str, Any]], Any],
    *,
    again_with: dict[str, Any],
    refused: Callable[[forms.BaseForm, DomainError], str] = flash_refusal,
) -> HttpResponse:
    """A form of the event page: `change` calls the action with the clean data (and may
    return the message to show instead of "Saved."); done, back to the event page; refused,
    the event page again with the form as typed (`again_with`: `_event_page`'s keyword)."""

    def act(data: dict[str, Any]) -> HttpResponse:
        said = change(data)
        messages.success(request, said if isinstance(said, str) else SAVED)
        return redirect("backoffice:catalogue_event", event_id=found.id)

    return submit(
        request,
        form,
        act=act,
        again=lambda status: _event_page(request, actor, found, status=status, **again_with),
        refused=refused,
    )


@login_required
@require_POST
def add_dates(request: HttpRequest, event_id: int) -> HttpResponse:
    actor = staff_actor(request)
    found = _event(actor, event_id)
    form = DatesForm(request.POST, zone=found.organisation.zone, now=timezone.now())

    def add(data: dict[str, Any]) -> str:
        made = inventory.add_dates(
            found.id, actor=actor, times=data["times"], capacity=data["capacity"]
        )
        return str(_("%(count)s date(s) added, on sale.") % {"count": len(made)})

    return _from_event_page(request, actor, found, form, add, again_with={"dates_form": form})


@login_required
@require_POST
def set_capacity(request: HttpRequest, date_id: int) -> HttpResponse:
    return _set_places(request, "capacity", date_id)


@login_required
@require_POST
def set_quota(request: HttpRequest, type_id: int) -> HttpResponse:
    return _set_places(request, "quota", type_id)


# What the event page's rows change through the inventory: a date's capacity, a ticket
# type's quota per date (the row's object, its form, the inventory's action).
PLACES: dict[str, tuple[Callable[..., Any], type[forms.Form], Callable[..., Any]]] = {
    "capacity": (access_date, CapacityForm, inventory.set_capacity),
    "quota": (access_ticket_type, QuotaForm, inventory.set_quota),
}


def _set_places(request: HttpRequest, field: str, object_id: int) -> HttpResponse:
    """A refusal (below what is taken, say) comes back next to the field of that row's
    form, which its prefix keys on the page."""
    actor = staff_actor(request)
    access, form_class, set_places = PLACES[field]
    row = found_or_404(access, actor, object_id)
    form = form_class(request.POST, prefix=f"{field}-{row.id}")

    def next_to_the_field(form: forms.BaseForm, error: DomainError) -> str:
        form.add_error(field, error.text)
        return str(error.text)

    return _from_event_page(
        request,
        actor,
        _event(actor, row.event_id),
        form,
        lambda data: set_places(row.id, actor=actor, **{field: data[field]}),
        again_with={"bound": {form.prefix or "": form}},
        refused=next_to_the_field,
    )


def _type_page(
    request: HttpRequest, actor: Actor, event: Event, form: TicketTypeForm, *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "backoffice/catalogue/ticket_type.html",
        {
            "event": event,
            "form": form,
            "ticket_type": form.instance if form.instance.pk else None,
            "may_manage": may_manage_catalogue(actor),
            "preview": _preview_text(
                form["deadline_days_after_booking"].value(),
                form["deadline_days_before_start"].value(),
                event.organisation,
            ),
        },
        status=status,
    )


def _save_type(
    request: HttpRequest, actor: Actor, event: Event, form: TicketTypeForm
) -> HttpResponse:

    def save(data: dict[str, Any]) -> HttpResponse:
        if form.instance.pk:
            actions.update_ticket_type(form.instance.pk, actor=actor, terms=form.terms())
        else:
            actions.create_ticket_type(event.id, actor=actor, terms=form.terms())
        messages.success(request, SAVED)
        return redirect("backoffice:catalogue_event", event_id=event.id)

    return submit(
        request,
        form,
        act=save,
        again=lambda status: _type_page(request, actor, event, form, status=status),
        refused=_terms_refused,
    )


@login_required
def new_ticket_type(request: HttpRequest, event_id: int) -> HttpResponse:
    actor = staff_actor(request)
    found = _event(actor, event_id)
    if request.method == "POST":
        return _save_type(request, actor, found, TicketTypeForm(request.POST))
    form = TicketTypeForm(
        initial={
            "deadline_days_after_booking": 7,
            "reservable": True,
            "requests_hold_capacity": True,
        }
    )
    return _type_page(request, actor, found, form)


@login_required
def ticket_type(request: HttpRequest, type_id: int) -> HttpResponse:
    actor = staff_actor(request)
    found = found_or_404(access_ticket_type, actor, type_id)
    event = _event(actor, found.event_id)
    if request.method == "POST":
        # Bound to a fresh copy: the action re-reads the row under lock anyway.
        return _save_type(request, actor, event, TicketTypeForm(request.POST, instance=found))
    return _type_page(request, actor, event, TicketTypeForm(instance=found))


def _days(value: Any) -> int | None:
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return days if 0 <= days <= MAX_RULE_DAYS else None


def _preview_text(after: Any, before: Any, organisation: Any) -> str:
    probe = TicketType(
        deadline_days_after_booking=_days(after), deadline_days_before_start=_days(before)
    )
    return rule_text(probe.deadline_rule(organisation))


@login_required
def rule_preview(request: HttpRequest) -> HttpResponse:
    """The rule text for the two fields as typed (and the organisation's policy), as plain
    text for the page's live preview."""
    staff_actor(request)
    organisation = request.staff_organisation  # type: ignore[attr-defined]
    text = _preview_text(request.GET.get("after", ""), request.GET.get("before", ""), organisation)
    return HttpResponse(text, content_type="text/plain; charset=utf-8")
