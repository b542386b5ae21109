"""A booking's money for staff: `/staff/bookings/<REF>/payments/`.

The balance (due, captured, refunded, outstanding, status), its payments and refunds, its
payment requests (open ones with their link to copy or email; expired ones apart), and the
forms to request a payment, record one taken at the desk, and refund a captured one
(owners and managers). Each form posts to its own URL; a refusal re-renders the page with
the message next to the field it concerns and the error's HTTP status.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tentative.backoffice.access import staff_actor
from tentative.backoffice.vouchers import money_context
from tentative.bookings import labels as booking_labels
from tentative.bookings.access import access_booking_by_reference
from tentative.bookings.models import LINE_WORDS, Booking
from tentative.core.money import Money
from tentative.core.permissions import Role
from tentative.payments import actions, labels, selectors
from tentative.payments.models import Payment
from tentative.shared.actor import Actor
from tentative.shared.errors import DomainError, NotFound

INVALID = _("Please correct the form.")
# Which field a refusal belongs next to, by its code; others show above the forms.
FIELD_OF = {
    "amount_invalid": "amount",
    "amount_above_balance": "amount",
    "nothing_due": "amount",
    "refund_too_large": "amount",
    "expiry_invalid": "expires_at",
}
DESK_METHODS = [m for m in Payment.Method.choices if m[0] != Payment.Method.CARD]


class RequestForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=12, decimal_places=3)
    expires_at = forms.DateTimeField(
        label=_("Link valid until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: until the option's deadline, else 7 days."),
    )
    send = forms.BooleanField(label=_("Email it to the customer now"), required=False)


class RecordForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=12, decimal_places=3)
    method = forms.ChoiceField(label=_("Method"), choices=DESK_METHODS)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class RefundForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=12, decimal_places=3)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


def _booking(actor: Actor, reference: str) -> Booking:
    try:
        return access_booking_by_reference(actor, reference)
    except NotFound:
        raise Http404() from None


@login_required
def booking_payments(request: HttpRequest, reference: str) -> HttpResponse:
    actor = staff_actor(request)
    return _page(request, actor, _booking(actor, reference))


@login_required
@require_POST
def request_payment(request: HttpRequest, reference: str) -> HttpResponse:
    actor = staff_actor(request)
    booking = _booking(actor, reference)
    form = RequestForm(request.POST)
    if not form.is_valid():
        return _refused(request, actor, booking, forms_={"request_form": form})
    data = form.cleaned_data
    try:
        link = actions.create_payment_request(
            booking.id,
            actor=actor,
            amount=data["amount"],
            expires_at=data["expires_at"],
            send=data["send"],
        )
    except DomainError as error:
        return _refused(request, actor, booking, error, forms_={"request_form": form})
    if link.sent_count:
        messages.success(request, _("Payment link created and emailed to the customer."))
    else:
        messages.success(request, _("Payment link created: copy it or email it below."))
    return redirect("backoffice:booking_payments", reference=booking.reference)


def _act_on_link(
    request: HttpRequest, reference: str, request_id: int, act: Any, done: str
) -> HttpResponse:
    """Email or withdraw one of this booking's links: the action decides, the page says."""
    actor = staff_actor(request)
    booking = _booking(actor, reference)
    if not booking.payment_requests.filter(id=request_id).exists():
        raise Http404()
    try:
        act(request_id, actor=actor)
    except DomainError as error:
        return _refused(request, actor, booking, error)
    messages.success(request, done)
    return redirect("backoffice:booking_payments", reference=booking.reference)


@login_required
@require_POST
def send_request(request: HttpRequest, reference: str, request_id: int) -> HttpResponse:
    return _act_on_link(
        request,
        reference,
        request_id,
        actions.send_payment_request,
        _("The payment link was emailed to the customer."),
    )


@login_required
@require_POST
def withdraw_request(request: HttpRequest, reference: str, request_id: int) -> HttpResponse:
    return _act_on_link(
        request,
        reference,
        request_id,
        actions.cancel_payment_request,
        _("The payment link was withdrawn: it can no longer be paid."),
    )


@login_required
@require_POST
def record(request: HttpRequest, reference: str) -> HttpResponse:
    actor = staff_actor(request)
    booking = _booking(actor, reference)
    form = RecordForm(request.POST)
    if not form.is_valid():
        return _refused(request, actor, booking, forms_={"record_form": form})
    data = form.cleaned_data
    try:
        actions.record_payment(
            booking.id, actor=actor, amount=data["amount"], method=data["method"], note=data["note"]
        )
    except DomainError as error:
        return _refused(request, actor, booking, error, forms_={"record_form": form})
    messages.success(request, _("Payment recorded."))
    return redirect("backoffice:booking_payments", reference=booking.reference)


@login_required
@require_POST
def refund(request: HttpRequest, reference: str, payment: str) -> HttpResponse:
    actor = staff_actor(request)
    booking = _booking(actor, reference)
    if not booking.payments.filter(reference=payment).exists():
        raise Http404()
    form = RefundForm(request.POST, auto_id=f"id_refund_{payment}_%s")
    if not form.is_valid():
        return _refused(request, actor, booking, refund_of=(payment, form))
    try:
        done = actions.refund_payment(
            payment,
            actor=actor,
            amount=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        return _refused(request, actor, booking, error, refund_of=(payment, form))
    if selectors.refunds_online(done.payment):
        messages.success(request, _("Refund recorded."))
    else:
        messages.warning(
            request, _("Refund recorded. Pay the money back to the customer yourself.")
        )
    return redirect("backoffice:booking_payments", reference=booking.reference)


def _refused(
    request: HttpRequest,
    actor: Actor,
    booking: Booking,
    error: DomainError | None = None,
    *,
    forms_: dict[str, forms.Form] | None = None,
    refund_of: tuple[str, RefundForm] | None = None,
) -> HttpResponse:
    """The page again, the refusal next to its field (or above the forms)."""
    form = next(iter((forms_ or {}).values()), None) or (refund_of[1] if refund_of else None)
    field = FIELD_OF.get(error.code) if error else None
    if error is None:
        messages.error(request, INVALID)
    elif form is not None and form.is_bound and field in form.fields:
        form.add_error(field, error.text)
    else:
        messages.error(request, error.text)
    status = error.status if error else 422
    return _page(request, actor, booking, status=status, refund_of=refund_of, **(forms_ or {}))


def _page(
    request: HttpRequest,
    actor: Actor,
    booking: Booking,
    *,
    status: int = 200,
    refund_of: tuple[str, RefundForm] | None = None,
    **forms_: forms.Form,
) -> HttpResponse:
    now = timezone.now()
    money = selectors.balance(booking)
    everything = list(booking.payments.order_by("created_at", "id"))
    # A payment page opened and left (each visit of a link opens one) says nothing yet.
    payments = [p for p in everything if p.state != "created"]
    may_refund = actor.role in (Role.OWNER, Role.MANAGER)

    def shown(value: Decimal) -> Decimal:
        """To the currency's minor unit, for the reader's locale (5.00 EUR, 500 JPY)."""
        return Money(value, booking.currency).amount

    for payment in payments:
        payment.shown = [shown(payment.amount), shown(payment.captured), shown(payment.refunded)]  # type: ignore[attr-defined]
        payment.state_label = labels.PAYMENT_STATES.get(payment.state, payment.state)  # type: ignore[attr-defined]
        payment.provider_label = labels.PROVIDERS.get(payment.provider, payment.provider)  # type: ignore[attr-defined]
        payment.left = shown(payment.captured - payment.refunded)  # type: ignore[attr-defined]
        if may_refund and payment.state == "captured" and payment.left > 0:  # type: ignore[attr-defined]
            bound = refund_of[1] if refund_of and refund_of[0] == payment.reference else None
            payment.refund_form = bound or RefundForm(  # type: ignore[attr-defined]
                initial={"amount": payment.left},  # type: ignore[attr-defined]
                auto_id=f"id_refund_{payment.id}_%s",
            )
    refunds = list(
        selectors.refunds_of(booking).select_related("payment").order_by("created_at", "id")
    )
    for refund in refunds:
        refund.state_label = labels.REFUND_STATES.get(refund.state, refund.state)  # type: ignore[attr-defined]
        refund.shown = shown(refund.amount)  # type: ignore[attr-defined]
    open_links, past_links = [], []
    for link in selectors.requests_of(booking):
        link.shown = link.shown_state(now)  # type: ignore[attr-defined]
        link.shown_label = labels.REQUEST_STATES.get(link.shown, link.shown)  # type: ignore[attr-defined]
        link.url = selectors.request_url(link)  # type: ignore[attr-defined]
        link.shown_amount = shown(link.amount)  # type: ignore[attr-defined]
        (open_links if link.shown == "open" else past_links).append(link)
    due = money.outstanding.amount if money.outstanding.amount > 0 else Decimal(0)
    context: dict[str, Any] = {
        "booking": booking,
        "owes": selectors.owes(booking),
        "state_label": booking_labels.label(booking_labels.STATES, booking.state),
        "lines": booking.lines.select_related(*LINE_WORDS).order_by("id"),
        "money": money,
        "status_label": labels.STATUS.get(money.status.value, money.status.value),
        "payments": payments,
        "unfinished": len(everything) - len(payments),
        "refunds": refunds,
        "open_links": open_links,
        "past_links": past_links,
        "may_refund": may_refund,
        "request_form": forms_.get("request_form") or RequestForm(initial={"amount": due or None}),
        "record_form": forms_.get("record_form") or RecordForm(initial={"amount": due or None}),
        # Coupons, an overpayment kept as a coupon, cancelling with money back: their forms
        # post to `vouchers.py`, which comes back here once done.
        "money_actions": render_to_string(
            "backoffice/_booking_money_actions.html", money_context(booking), request=request
        ),
    }
    return render(request, "backoffice/booking_payments.html", context, status=status)
