"""Release of options (seed 001, issue 11 item 5): options past or near their deadline,
soonest first, each with *Allow until…* (a new date: `extend_booking`) and *Release*
(`expire_booking`, the verb that ends an option now), one by one or for the ticked ones;
and the organisation's strict or flexible policy, on the same page.

Each row is its own action (a few dozen a day, decided one by one): the outcome per row is
kept in the session for the page the form redirects to, so a reload never acts twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tentative.accounts import actions as account_actions
from tentative.accounts.models import Organisation
from tentative.backoffice.access import staff_actor
from tentative.bookings import actions, labels
from tentative.bookings.access import visible_bookings
from tentative.bookings.models import LINE_WORDS
from tentative.core.deadlines import AtLimit, Policy
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.errors import DomainError

PER_PAGE = 100
SESSION_KEY = "options_outcomes"
WINDOWS = [
    ("overdue", _("Overdue")),
    ("2", _("Due within 48 hours")),
    ("7", _("Due within 7 days")),
    ("30", _("Due within 30 days")),
]
DEFAULT_WINDOW = "7"
INVALID = _("Please correct the form.")
PAST = _("Choose a moment in the future.")
EXTENDED = _("Allowed until %(until)s")
RELEASED = _("Released")
POLICY_SAVED = _("Deadline policy saved. It applies to options made from now on.")
DATE_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class UntilField(forms.DateTimeField):
    widget = DATE_INPUT

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and value <= now_or(None):
            raise forms.ValidationError(PAST)


class ActForm(forms.Form):
    """One form for the whole table: per-row buttons name the row (`extend_one`,
    `release_one`) and read that row's date; the bulk buttons read the ticked rows and the
    shared date."""

    booking = forms.TypedMultipleChoiceField(coerce=int, required=False)
    until = UntilField(label=_("New deadline for the selected options"), required=False)
    reason = forms.CharField(
        label=_("Note for the history (optional)"), required=False, max_length=500
    )

    def __init__(self, *args: Any, ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["booking"].choices = [(i, str(i)) for i in ids]  # type: ignore[attr-defined]


class PolicyForm(forms.Form):
    policy = forms.ChoiceField(
        label=_("Deadline policy"),
        choices=[
            (Policy.STRICT.value, _("Strict: options are released at their deadline")),
            (Policy.FLEXIBLE.value, _("Flexible: overdue options stay until you act")),
        ],
        widget=forms.RadioSelect,
    )
    grace_hours = forms.IntegerField(
        label=_("Grace after the deadline, in hours (flexible)"),
        required=False,
        min_value=0,
        max_value=366 * 24,
        help_text=_("Empty: the options stay until you act."),
    )
    at_limit = forms.ChoiceField(
        label=_("At the end of the grace (flexible)"),
        choices=[
            (AtLimit.RELEASE.value, _("Release the places")),
            (AtLimit.REVIEW.value, _("Keep them and list the option for review")),
        ],
    )


def _policy_form(org: Organisation, data: Any = None) -> PolicyForm:
    grace = org.deadline_grace
    return PolicyForm(
        data,
        initial={
            "policy": org.deadline_policy,
            "grace_hours": None if grace is None else int(grace.total_seconds() // 3600),
            "at_limit": org.deadline_at_limit,
        },
    )


def _rows(actor: Actor, window: str, *, now: datetime) -> Any:
    until = now if window == "overdue" else now + timedelta(days=int(window))
    return (
        visible_bookings(actor)
        .filter(state=State.OPTION.value, deadline_shown__lte=until)
        .select_related("customer")
        .prefetch_related(*(f"lines__{path}" for path in LINE_WORDS))
        .order_by("deadline_shown", "id")
    )


@login_required
def options(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    org = Organisation.objects.get(id=actor.organisation_id)
    return _page(request, actor, org, policy_form=_policy_form(org), status=200)


def _page(
    request: HttpRequest,
    actor: Actor,
    org: Organisation,
    *,
    policy_form: PolicyForm,
    status: int,
) -> HttpResponse:
    now = now_or(None)
    window = request.GET.get("window", DEFAULT_WINDOW)
    if window not in dict(WINDOWS):
        window = DEFAULT_WINDOW
    page = Paginator(_rows(actor, window, now=now), PER_PAGE).get_page(request.GET.get("page"))
    ids = [b.id for b in page]
    acting = request.method == "POST" and _acting(request)
    form = ActForm(request.POST if acting else None, ids=ids)
    errors: dict[int, str] = {}
    if acting:
        outcome = _act(request, actor, form, ids, errors)
        if outcome is not None:
            request.session[SESSION_KEY] = outcome
            return redirect(request.get_full_path())
        status = 422
    for booking in page:
        booking.at_limit_label = labels.label(labels.AT_LIMIT, booking.at_limit)
        booking.overdue = booking.deadline_shown is not None and booking.deadline_shown <= now
        booking.row_error = errors.get(booking.id, "")
        booking.typed_until = request.POST.get(f"until-{booking.id}", "")
    selected = {str(i) for i in request.POST.getlist("booking")}
    return render(
        request,
        "backoffice/options.html",
        {
            "page": page,
            "form": form,
            "selected": selected,
            "window": window,
            "query": f"window={window}",
            "windows": WINDOWS,
            "policy_form": policy_form,
            "may_set_policy": actor.role == Role.OWNER,
            "org": org,
            "outcome": request.session.pop(SESSION_KEY, None),
            "now": now,
            "invalid": INVALID if status == 422 else "",
        },
        status=status,
    )


def _acting(request: HttpRequest) -> bool:
    return any(k in request.POST for k in ("extend_one", "release_one", "verb"))


def _act(
    request: HttpRequest, actor: Actor, form: ActForm, ids: list[int], errors: dict[int, str]
) -> list[tuple[str, str, bool]] | None:
    """Run the chosen verb on the chosen rows; None when the input was refused (the form or
    `errors` says why, next to the field)."""
    post = request.POST
    verb, chosen, until = "", [], None
    if not form.is_valid():
        return None
    reason = form.cleaned_data["reason"]
    for key, name in (("extend_one", "extend"), ("release_one", "release")):
        if post.get(key, "").isdigit() and int(post[key]) in ids:
            verb, chosen = name, [int(post[key])]
    if not verb:
        verb = post.get("verb", "")
        chosen = form.cleaned_data["booking"]
        until = form.cleaned_data["until"]
        if verb not in ("extend", "release"):
            form.add_error(None, INVALID)
            return None
        if not chosen:
            form.add_error("booking", _("Select at least one option."))
            return None
        if verb == "extend" and until is None:
            form.add_error("until", forms.Field.default_error_messages["required"])
            return None
    elif verb == "extend":
        field = UntilField(required=True)
        try:
            until = field.clean(post.get(f"until-{chosen[0]}", ""))
        except forms.ValidationError as error:
            errors[chosen[0]] = " ".join(error.messages)
            return None
    outcome = []
    for booking_id in chosen:
        try:
            if verb == "extend":
                done = actions.extend_booking(booking_id, actor=actor, until=until, reason=reason)
                local = timezone.localtime(done.deadline_shown)
                text = str(EXTENDED) % {"until": _format(local)}
            else:
                done = actions.expire_booking(booking_id, actor=actor, reason=reason)
                text = str(RELEASED)
            outcome.append((done.reference, text, True))
        except DomainError as refused:
            known = visible_bookings(actor).filter(id=booking_id).values_list("reference")
            outcome.append((known[0][0] if known else "", refused.text, False))
    return outcome


def _format(moment: datetime) -> str:
    return formats.date_format(moment, "SHORT_DATETIME_FORMAT")


@login_required
@require_POST
def policy(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    org = Organisation.objects.get(id=actor.organisation_id)
    form = _policy_form(org, request.POST)
    if not form.is_valid():
        return _page(request, actor, org, policy_form=form, status=422)
    data = form.cleaned_data
    hours = data["grace_hours"]
    try:
        account_actions.set_deadline_policy(
            org.id,
            actor=actor,
            policy=Policy(data["policy"]),
            grace=None if hours is None else timedelta(hours=hours),
            at_limit=AtLimit(data["at_limit"]),
        )
    except DomainError as refused:
        form.add_error(None, refused.text)
        return _page(request, actor, org, policy_form=form, status=refused.status)
    messages.success(request, POLICY_SAVED)
    return redirect("backoffice:options")
