"""Pending orders (seed 000, issue 11 item 4): the requests awaiting a decision, oldest
first, filtered by event, day, ticket type and age, with a checkbox per row, a select-all
box in the header, and *Accept* / *Refuse* with an optional message for the ticked ones.

One set-based action decides them all (`bookings.actions.decide_requests`); its outcome per
request (accepted, refused, not accepted because no places remain, already decided…) is
kept in the session for the page it redirects to, so a reload never decides twice.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tentative.backoffice.access import staff_actor
from tentative.bookings import actions, labels
from tentative.bookings.access import visible_bookings
from tentative.bookings.models import LINE_WORDS, Booking, BookingLine
from tentative.catalog.models import Event, TicketType
from tentative.core.states import State
from tentative.payments import selectors as payment_selectors
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.errors import DomainError

# Rows rendered per page (the template's cost grows with them: 50 keeps the page well
# under 150 ms with 50,000 bookings); "all matching the filters" decides on more at once.
PER_PAGE = 50
SESSION_KEY = "pending_outcomes"
AGES = [
    ("", _("Any age")),
    ("1", _("Waiting over a day")),
    ("3", _("Waiting over 3 days")),
    ("7", _("Waiting over a week")),
]
INVALID = _("Please correct the form.")
DONE = _("Decision recorded.")


class Filters(forms.Form):
    event = forms.TypedChoiceField(label=_("Event"), coerce=int, required=False, empty_value=None)
    day = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ticket_type = forms.TypedChoiceField(
        label=_("Ticket type"), coerce=int, required=False, empty_value=None
    )
    age = forms.ChoiceField(label=_("Age"), choices=AGES, required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        events = Event.objects.filter(organisation_id=actor.organisation_id).order_by("name")
        self.fields["event"].choices = [  # type: ignore[attr-defined]
            ("", _("All events")),
            *events.values_list("id", "name"),
        ]
        types = TicketType.objects.filter(event__organisation_id=actor.organisation_id)
        event_id = self.data.get("event", "")
        if event_id.isdigit():
            types = types.filter(event_id=int(event_id))
        self.fields["ticket_type"].choices = [  # type: ignore[attr-defined]
            ("", _("All ticket types")),
            *types.order_by("event__name", "name").values_list("id", "name")[:500],
        ]


class Selected(forms.Field):
    """The ticked requests: booking ids, at most one decision's worth."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list) else ([value] if value else [])
        if len(values) > actions.decide.MAX_REQUESTS:
            raise forms.ValidationError(
                actions.decide.TOO_MANY, params={"n": actions.decide.MAX_REQUESTS}
            )
        ids = []
        for raw in values:
            if not str(raw).isdigit() or len(str(raw)) > 18:
                raise forms.ValidationError(_("Unknown request."))
            ids.append(int(raw))
        return ids


class DecideForm(forms.Form):
    booking = Selected(label=_("Requests"), required=False)
    all_matching = forms.BooleanField(
        label=_("Every request matching the filters, on every page (at most 1,000)"),
        required=False,
    )
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (actions.Decision.ACCEPT.value, _("Accept")),
            (actions.Decision.REFUSE.value, _("Refuse")),
        ],
    )
    message = forms.CharField(
        label=_("Message to the customers (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown in the email each customer receives, accepted or not."),
    )


def _check_selection(form: DecideForm) -> None:
    if (
        form.is_valid()
        and not form.cleaned_data["booking"]
        and not form.cleaned_data["all_matching"]
    ):
        form.add_error("booking", actions.decide.NOTHING)


def matching(actor: Actor, filters: dict[str, Any], *, now: datetime) -> QuerySet[Booking]:
    """The actor's pending requests that match the filters, oldest first."""
    rows = visible_bookings(actor).filter(state=State.REQUEST.value)
    lines = BookingLine.objects.filter(booking_id=OuterRef("id"))
    if filters.get("event"):
        rows = rows.filter(Exists(lines.filter(event_date__event_id=filters["event"])))
    if filters.get("ticket_type"):
        rows = rows.filter(Exists(lines.filter(ticket_type_id=filters["ticket_type"])))
    if filters.get("day"):
        zone = timezone.get_current_timezone()
        start = datetime.combine(filters["day"], time.min, tzinfo=zone)
        end = datetime.combine(filters["day"] + timedelta(days=1), time.min, tzinfo=zone)
        rows = rows.filter(Exists(lines.filter(starts_at__gte=start, starts_at__lt=end)))
    if filters.get("age"):
        rows = rows.filter(created_at__lte=now - timedelta(days=int(filters["age"])))
    return rows.order_by("created_at", "id")


def pending_rows(actor: Actor, filters: dict[str, Any], *, now: datetime) -> QuerySet[Booking]:
    """What the list shows of them: customer, lines in words, when to decide by."""
    rows = matching(actor, filters, now=now).select_related("customer")
    rows = rows.prefetch_related(*(f"lines__{path}" for path in LINE_WORDS))
    return payment_selectors.with_decide_by(rows)


@login_required
def pending(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    now = now_or(None)
    form = DecideForm(request.POST or None)
    filters = Filters(request.GET or None, actor=actor)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    status = 200
    if request.method == "POST":
        _check_selection(form)
        if form.is_valid():
            data = form.cleaned_data
            ids = data["booking"]
            if data["all_matching"]:
                found = matching(actor, chosen, now=now).values_list("id", flat=True)
                ids = list(found[: actions.decide.MAX_REQUESTS])
            try:
                decided = actions.decide_requests(
                    ids,
                    decision=actions.Decision(data["decision"]),
                    actor=actor,
                    message=data["message"],
                )
            except DomainError as error:
                form.add_error(None, error.text)
                status = error.status
            else:
                request.session[SESSION_KEY] = {
                    "decision": data["decision"],
                    "rows": [(d.reference, d.outcome.value, d.state) for d in decided],
                }
                return redirect(request.get_full_path())
        else:
            status = 422
    page = Paginator(pending_rows(actor, chosen, now=now), PER_PAGE).get_page(
        request.GET.get("page")
    )
    for booking in page:
        booking.decide_by = payment_selectors.decide_by(booking)
    selected = {str(i) for i in request.POST.getlist("booking")}
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "backoffice/pending.html",
        {
            "page": page,
            "filters": filters,
            "form": form,
            "selected": selected,
            "query": query.urlencode(),
            "outcome": _outcome(request.session.pop(SESSION_KEY, None)),
            "now": now,
            "invalid": INVALID if status == 422 else "",
        },
        status=status,
    )


def _outcome(stored: dict[str, Any] | None) -> dict[str, Any] | None:
    if not stored:
        return None
    rows = [
        {
            "reference": reference,
            "outcome": outcome,
            "label": labels.label(labels.OUTCOMES, outcome),
            "state": labels.label(labels.STATES, state) if state else "",
        }
        for reference, outcome, state in stored["rows"]
    ]
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["outcome"]] = counts.get(row["outcome"], 0) + 1
    return {
        "rows": rows,
        "counts": [(labels.label(labels.OUTCOMES, k), k, n) for k, n in counts.items()],
        "done": DONE,
    }
