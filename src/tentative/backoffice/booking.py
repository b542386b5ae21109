"""One booking for staff: `/staff/bookings/<REF>/`.

Summary (state, deadline with its rule, amounts), lines, participants, customer, history as
sentences, the emails sent for it (with resend) and a form for every action the booking
allows in its state for this staff member (`bookings.access.allowed_actions`). Each form
posts to `/staff/bookings/<REF>/do/<verb>/`, which calls the action; a refusal comes back on
the page with the message next to the field it concerns (or above the forms) and the
error's HTTP status, the typed values kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tentative.audit.models import AuditEntry
from tentative.backoffice.access import staff_actor
from tentative.backoffice.history import history_sentences
from tentative.backoffice.vouchers import shown as shown_money
from tentative.bookings import actions
from tentative.bookings import labels as booking_labels
from tentative.bookings.access import access_booking_by_reference, allowed_actions
from tentative.bookings.models import LINE_WORDS, Booking, BookingLine, Participant
from tentative.catalog.models import EventDate, Resource, TicketType
from tentative.core.deadlines import AtLimit
from tentative.core.permissions import Role
from tentative.core.states import Action, State
from tentative.notifications.actions import resend
from tentative.outbox.models import OutboxMessage
from tentative.payments import labels as payment_labels
from tentative.payments import selectors as payment_selectors
from tentative.shared.actor import Actor
from tentative.shared.errors import DomainError, NotFound

INVALID = _("Please correct the form.")
NOTE = _("Private note")
NOTE_HELP = _("For staff: kept in the history, never sent to the customer.")
MESSAGE = _("Message to the customer")
MESSAGE_HELP = _("Added to the email the customer receives.")
TEXT = {"max_length": 1000, "required": False}
ROWS = {"rows": 3}
LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
AT_LIMIT = {
    AtLimit.RELEASE.value: _("At the deadline its places are released."),
    AtLimit.REVIEW.value: _("At the deadline it waits for staff review; its places stay held."),
}


def _note() -> forms.CharField:
    return forms.CharField(label=NOTE, help_text=NOTE_HELP, widget=forms.Textarea(ROWS), **TEXT)


def _message() -> forms.CharField:
    return forms.CharField(
        label=MESSAGE, help_text=MESSAGE_HELP, widget=forms.Textarea(ROWS), **TEXT
    )


class ActionForm(forms.Form):
    """Every action's form: `reason` is what the action records (and, for approve and
    decline, what the customer's email says)."""

    def __init__(self, booking: Booking, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{self.verb}_%s")
        super().__init__(*args, **kwargs)
        self.booking = booking

    verb = ""

    def call(self, booking: Booking, actor: Actor) -> Booking:  # pragma: no cover - abstract
        raise NotImplementedError


class ApproveForm(ActionForm):
    verb = "approve"
    reason = _message()

    def call(self, booking: Booking, actor: Actor) -> Booking:
        return actions.approve_booking(booking.id, actor=actor, reason=self.cleaned_data["reason"])


class DeclineForm(ActionForm):
    verb = "decline"
    reason = _message()

    def call(self, booking: Booking, actor: Actor) -> Booking:
        return actions.decline_booking(booking.id, actor=actor, reason=self.cleaned_data["reason"])


class ConfirmForm(ActionForm):
    verb = "confirm"
    reason = _note()

    def call(self, booking: Booking, actor: Actor) -> Booking:
        return actions.confirm_booking(booking.id, actor=actor, reason=self.cleaned_data["reason"])


TARGETS = [
    (State.CONFIRMED.value, _("A firm booking")),
    (State.OPTION.value, _("An option (pay by its deadline)")),
]


class ConvertForm(ActionForm):
    verb = "convert"
    target = forms.ChoiceField(label=_("Into"), choices=TARGETS)
    reason = _note()

    def call(self, booking: Booking, actor: Actor) -> Booking:
        return actions.convert_booking(
            booking.id,
            actor=actor,
            target=State(self.cleaned_data["target"]),
            reason=self.cleaned_data["reason"],
        )


class ReinstateForm(ActionForm):
    verb = "reinstate"
    target = forms.ChoiceField(label=_("As"), choices=TARGETS)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(ROWS), max_length=1000)

    def call(self, booking: Booking, actor: Actor) -> Booking:
        return actions.reinstate_booking(
            booking.id,
            actor=actor,
            target=State(self.cleaned_data["target"]),
            reason=self.cleaned_data["reason"],
        )


class ExtendForm(ActionForm):
    verb = "extend"
    until = forms.DateTimeField(label=_("New deadline"), widget=LOCAL)
    reason = _note()

    def call(self, booking: Booking, actor: Actor) -> Booking:
        return actions.extend_booking(
            booking.id,
            actor=actor,
            until=self.cleaned_data["until"],
            reason=self.cleaned_data["reason"],
        )


class CancelForm(ActionForm):
    verb = "cancel"
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("Required for a firm booking; the cancellation email quotes it."),
        widget=forms.Textarea(ROWS),
        **TEXT,
    )

    def call(self, booking: Booking, actor: Actor) -> Booking:
        return actions.cancel_booking(booking.id, actor=actor, reason=self.cleaned_data["reason"])


class QuantityForm(ActionForm):
    verb = "change_quantity"
    line = forms.TypedChoiceField(label=_("Line"), coerce=int)
    quantity = forms.IntegerField(
        label=_("New quantity"), min_value=1, max_value=actions.MAX_QUANTITY
    )
    reason = _note()

    def __init__(self, booking: Booking, *args: Any, **kwargs: Any) -> None:
        super().__init__(booking, *args, **kwargs)
        self.fields["line"].choices = [(line.id, _line_words(line)) for line in _lines(booking)]

    def call(self, booking: Booking, actor: Actor) -> Booking:
        return actions.change_quantity(
            booking.id,
            actor=actor,
            line_id=self.cleaned_data["line"],
            quantity=self.cleaned_data["quantity"],
            reason=self.cleaned_data["reason"],
        )


class MoveForm(ActionForm):
    """Tickets move to another date of their event and/or another ticket type of it (one
    line, named when the booking has several); a timed booking to another start and/or
    another resource that delivers its service."""

    verb = "move"
    event_date = forms.TypedChoiceField(label=_("New date"), coerce=int, required=False)
    ticket_type = forms.TypedChoiceField(label=_("Ticket type"), coerce=int, required=False)
    line = forms.TypedChoiceField(label=_("Line"), coerce=int, required=False)
    starts_at = forms.DateTimeField(label=_("New start"), widget=LOCAL, required=False)
    resource = forms.TypedChoiceField(label=_("With"), coerce=int, required=False)
    reason = _note()
    message = _message()
    notify = forms.BooleanField(label=_("Tell the customer by email"), required=False, initial=True)

    def __init__(self, booking: Booking, *args: Any, **kwargs: Any) -> None:
        super().__init__(booking, *args, **kwargs)
        lines = _lines(booking)
        self.timed = any(line.is_timed for line in lines)
        if self.timed:
            del self.fields["event_date"], self.fields["ticket_type"], self.fields["line"]
            services = {line.service_id for line in lines}
            self.fields["resource"].choices = [("", _("The same"))] + [
                (r.id, r.name)
                for r in Resource.objects.filter(
                    organisation_id=booking.organisation_id, services__in=services
                )
                .distinct()
                .order_by("name")
            ]
            self.nowhere = False
            return
        del self.fields["starts_at"], self.fields["resource"]
        events = {line.event_date.event_id for line in lines if line.event_date}
        current = {line.event_date_id for line in lines}
        dates = [
            (d.id, f"{d.event.name}, {_local(d.starts_at)}")
            for d in EventDate.objects.filter(event_id__in=events, starts_at__gt=timezone.now())
            .exclude(id__in=current)
            .select_related("event")
            .order_by("starts_at")
        ]
        types = [
            (t.id, f"{t.name} ({shown_money(t.price, booking.currency)})")
            for t in TicketType.objects.filter(event_id__in=events).order_by("name", "id")
        ]
        self.fields["event_date"].choices = [("", _("The same date")), *dates]
        self.fields["ticket_type"].choices = [("", _("The same")), *types]
        self.fields["ticket_type"].help_text = _(
            "Another ticket type takes its price: the total and the balance follow."
        )
        if len(lines) > 1:
            self.fields["line"].choices = [(line.id, _line_words(line)) for line in lines]
            self.fields["line"].help_text = _("The line whose ticket type changes.")
        else:
            del self.fields["line"]
        # A ticket whose event has no other date nor another ticket type: no move to offer.
        self.nowhere = not dates and len(types) < 2

    @property
    def destination(self) -> str:
        """The field a refusal of the destination belongs next to."""
        if self.timed:
            return "starts_at"
        data = getattr(self, "cleaned_data", {})
        return (
            "ticket_type"
            if data.get("ticket_type") and not data.get("event_date")
            else ("event_date")
        )

    def call(self, booking: Booking, actor: Actor) -> Booking:
        data = self.cleaned_data
        return actions.move_booking(
            booking.id,
            actor=actor,
            to=actions.Destination(
                event_date_id=data.get("event_date") or None,
                starts_at=data.get("starts_at"),
                resource_id=data.get("resource") or None,
                ticket_type_id=data.get("ticket_type") or None,
                # The line matters for a change of ticket type only: a new date moves all.
                line_id=(data.get("line") or None) if data.get("ticket_type") else None,
            ),
            reason=data["reason"],
            message=data["message"],
            notify=data["notify"],
        )


FORMS: dict[Action, type[ActionForm]] = {
    Action.APPROVE: ApproveForm,
    Action.DECLINE: DeclineForm,
    Action.CONVERT: ConvertForm,
    Action.CONFIRM: ConfirmForm,
    Action.EXTEND: ExtendForm,
    Action.MOVE: MoveForm,
    Action.CHANGE_QUANTITY: QuantityForm,
    Action.REINSTATE: ReinstateForm,
    Action.CANCEL: CancelForm,
}
# The button and the title of each action's form.
TITLES = {
    Action.APPROVE: _("Approve"),
    Action.DECLINE: _("Decline"),
    Action.CONVERT: _("Convert the quote"),
    Action.CONFIRM: _("Confirm"),
    Action.EXTEND: _("Extend the deadline"),
    Action.MOVE: _("Move"),
    Action.CHANGE_QUANTITY: _("Change the quantity"),
    Action.REINSTATE: _("Reinstate"),
    Action.CANCEL: _("Cancel the booking"),
}
DONE = {
    Action.APPROVE: _("Booking %(reference)s approved."),
    Action.DECLINE: _("Booking %(reference)s declined."),
    Action.CONVERT: _("Quote %(reference)s converted."),
    Action.CONFIRM: _("Booking %(reference)s confirmed."),
    Action.EXTEND: _("The deadline of %(reference)s was extended."),
    Action.MOVE: _("Booking %(reference)s moved."),
    Action.CHANGE_QUANTITY: _("The quantity of %(reference)s was changed."),
    Action.REINSTATE: _("Booking %(reference)s reinstated."),
    Action.CANCEL: _("Booking %(reference)s cancelled."),
}
# The actions asked in a confirmation dialog with one message field (the others have a
# form of several fields).
DIALOGS = {
    Action.APPROVE: (
        _("Approve this request?"),
        _("The customer receives an email, with your message if you write one."),
    ),
    Action.DECLINE: (
        _("Decline this request?"),
        _("The customer receives an email, with your message if you write one."),
    ),
    Action.CONFIRM: (_("Confirm this option?"), _("It becomes a firm booking.")),
    Action.CANCEL: (
        _("Cancel this booking?"),
        _("Its places go back on sale and the customer receives an email."),
    ),
}
# Which field a refusal belongs next to, by its code; others show above the forms.
FIELD_OF: dict[tuple[Action, str], str] = {
    (Action.CANCEL, "reason_required"): "reason",
    (Action.REINSTATE, "reason_required"): "reason",
    (Action.EXTEND, "invalid"): "until",
    (Action.CHANGE_QUANTITY, "invalid"): "quantity",
    (Action.CHANGE_QUANTITY, "sold_out"): "quantity",
    (Action.CHANGE_QUANTITY, "slot_taken"): "quantity",
    (Action.MOVE, "invalid"): "destination",
    (Action.MOVE, "sold_out"): "destination",
    (Action.MOVE, "slot_taken"): "destination",
    (Action.MOVE, "deadline_unreachable"): "destination",
    (Action.MOVE, "not_reservable"): "destination",
}


def _local(moment: datetime) -> str:
    from django.utils import formats

    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _lines(booking: Booking) -> list[BookingLine]:
    cached = getattr(booking, "_page_lines", None)
    if cached is None:
        cached = list(
            booking.lines.select_related(*LINE_WORDS)
            .prefetch_related(Prefetch("participants", Participant.objects.order_by("id")))
            .order_by("id")
        )
        booking._page_lines = cached  # type: ignore[attr-defined]
    return cached


def _line_words(line: BookingLine) -> str:
    where = f" ({line.resource_name})" if line.resource_id else ""
    return f"{line.quantity} × {line.item} — {line.title}{where}, {_local(line.starts_at)}"


def _booking(actor: Actor, reference: str) -> Booking:
    """A reference as typed: `abc123` finds `ABC123`."""
    try:
        return access_booking_by_reference(actor, reference.strip().upper())
    except NotFound:
        raise Http404() from None


@login_required
def booking_page(request: HttpRequest, reference: str) -> HttpResponse:
    actor = staff_actor(request)
    booking = _booking(actor, reference)
    if booking.reference != reference:
        return redirect("backoffice:booking", reference=booking.reference)
    return _page(request, actor, booking)


@login_required
@require_POST
def booking_action(request: HttpRequest, reference: str, verb: str) -> HttpResponse:
    actor = staff_actor(request)
    booking = _booking(actor, reference)
    try:
        action = Action(verb)
        form_class = FORMS[action]
    except (ValueError, KeyError):
        raise Http404() from None
    form = form_class(booking, request.POST)
    if not form.is_valid():
        messages.error(request, INVALID)
        return _page(request, actor, booking, status=422, bound=form)
    try:
        done = form.call(booking, actor)
    except DomainError as error:
        field = FIELD_OF.get((action, error.code))
        if field == "destination":
            field = form.destination  # type: ignore[attr-defined]
        if field in form.fields:
            form.add_error(field, error.text)
        else:
            messages.error(request, error.text)
        return _page(request, actor, booking, status=error.status, bound=form)
    messages.success(request, DONE[action] % {"reference": booking.reference})
    if action == Action.MOVE:
        _new_total(request, booking, done)
    return redirect("backoffice:booking", reference=booking.reference)


def _new_total(request: HttpRequest, before: Booking, booking: Booking) -> None:
    """After a move that changed the price (another ticket type): the new total and what
    is left to pay."""
    if booking.total == before.total:
        return
    money = payment_selectors.balance(booking)
    messages.info(
        request,
        _("New total: %(total)s (was %(before)s). Left to pay: %(outstanding)s.")
        % {
            "total": shown_money(booking.total, booking.currency),
            "before": shown_money(before.total, booking.currency),
            "outstanding": shown_money(money.outstanding.amount, booking.currency),
        },
    )


@login_required
@require_POST
def booking_resend(request: HttpRequest, reference: str, message_id: int) -> HttpResponse:
    """Send one of this booking's emails again (owners and managers, as on the mail pages)."""
    actor = staff_actor(request)
    booking = _booking(actor, reference)
    if actor.role not in (Role.OWNER, Role.MANAGER):
        raise PermissionDenied
    if not _emails(booking).filter(id=message_id).exists():
        raise Http404()
    if resend(message_id, now=timezone.now()):
        messages.success(request, _("Queued to be sent again."))
    else:
        messages.info(request, _("It is already waiting to be sent."))
    return redirect(reverse("backoffice:booking", args=[booking.reference]) + "#emails")


def _emails(booking: Booking) -> Any:
    return OutboxMessage.objects.filter(
        organisation_id=booking.organisation_id,
        booking_id=booking.id,
        kind=OutboxMessage.Kind.EMAIL,
    )


def _page(
    request: HttpRequest,
    actor: Actor,
    booking: Booking,
    *,
    status: int = 200,
    bound: ActionForm | None = None,
) -> HttpResponse:
    now = timezone.now()
    lines = _lines(booking)
    money = payment_selectors.balance(booking)
    owes = booking.state in (State.OPTION, State.CONFIRMED)
    allowed = allowed_actions(actor, booking, now=now)
    dialogs, action_forms = [], []
    for action in allowed:
        form = bound if bound is not None and bound.verb == action.value else None
        shown = {
            "verb": action.value,
            "title": TITLES[action],
            "form": form or FORMS[action](booking),
            "open": form is not None,
        }
        if action in DIALOGS:
            question, text = DIALOGS[action]
            shown.update(
                question=question,
                text=text,
                danger=action in (Action.DECLINE, Action.CANCEL),
                required=action == Action.CANCEL and booking.state == State.CONFIRMED,
            )
            dialogs.append(shown)
        elif not getattr(shown["form"], "nowhere", False):
            action_forms.append(shown)
    for line in lines:
        line.price_shown = shown_money(line.unit_price, booking.currency)  # type: ignore[attr-defined]
    emails = list(_emails(booking).order_by("-created_at", "-id"))
    for email in emails:
        email.dialog_id = f"resend-{email.id}"  # type: ignore[attr-defined]
    entries = (
        AuditEntry.objects.filter(organisation_id=booking.organisation_id, booking_id=booking.id)
        .select_related("actor_user")
        .order_by("-at", "-id")
    )
    participants = [(line, p) for line in lines for p in line.participants.all()]
    context: dict[str, Any] = {
        "booking": booking,
        "state_label": booking_labels.label(booking_labels.STATES, booking.state),
        "lines": lines,
        # Room sessions (issue 14): their players and moves have pages of their own.
        "room_session": any(
            line.service_id and line.service.kind == "room_session" for line in lines
        ),
        "participants": participants,
        "customer": booking.customer,
        # The customers page belongs to another part of the back office: linked when it is.
        "customer_url": _customer_url(booking),
        "money": money,
        "owes": owes,
        "status_label": payment_labels.STATUS.get(money.status.value, money.status.value),
        "decide_by": payment_selectors.decide_by(booking),
        "at_limit": AT_LIMIT.get(booking.at_limit, ""),
        "now": now,
        "history": history_sentences(entries, currency=booking.currency),
        "emails": emails,
        "may_resend": actor.role in (Role.OWNER, Role.MANAGER),
        "dialogs": dialogs,
        "forms": action_forms,
        "total": shown_money(booking.total, booking.currency),
        "captured": shown_money(money.captured.amount, booking.currency),
        "refunded": shown_money(money.refunded.amount, booking.currency),
        "outstanding": shown_money(money.outstanding.amount, booking.currency),
        "decide_left": _("Decide within {time}"),
        "decide_late": _("Decision overdue"),
        "no_customer": _("No customer on this booking."),
        "no_participants": _("No names given yet."),
        "no_emails": _("No email for this booking yet."),
        "resend_label": _("Send again"),
        "resend_title": _("Send this email again?"),
        "may_cancel_with_money": Action.CANCEL in allowed and money.captured.amount > 0,
    }
    return render(request, "backoffice/booking.html", context, status=status)


def _customer_url(booking: Booking) -> str:
    from django.urls import NoReverseMatch

    if booking.customer_id is None:
        return ""
    try:
        return reverse("backoffice:customer", args=[booking.customer_id])
    except NoReverseMatch:
        return ""
