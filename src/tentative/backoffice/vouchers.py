"""Back-office pages for coupons and gift vouchers (issue 10 items 5 and 6).

- `/staff/vouchers/`: the organisation's coupons and gift vouchers (code, kind, what is
  left, expiry, the booking it came from, sent or not) with a "Send" button each, and the
  form to issue a coupon or sell a gift voucher at the desk.
- `/staff/vouchers/<code>/`: one voucher and its ledger, in sentences.
- `/staff/bookings/<REF>/money/`: a booking's money actions (redeem a code, keep an
  overpayment as a coupon, cancel with money back), the partial
  `backoffice/_booking_money_actions.html` that the booking's payments page includes; each
  form also works here on its own small page.

Views parse a form, call the action, and show its refusal (a typed DomainError with a
translated message) on the page with the error's HTTP status. Rights are the actions'.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tentative.backoffice.access import staff_actor
from tentative.backoffice.posting import found_or_404, submit
from tentative.bookings import labels as booking_labels
from tentative.bookings.access import access_booking_by_reference
from tentative.bookings.models import Booking
from tentative.core.money import Money, minor_units
from tentative.payments import actions, selectors
from tentative.payments import labels as payment_labels
from tentative.payments.access import access_voucher
from tentative.payments.errors import VoucherUnknown
from tentative.payments.models import Payment, Voucher
from tentative.shared.actor import Actor
from tentative.shared.errors import DomainError

LIST_LIMIT = 200
AMOUNT = {"max_digits": 12, "decimal_places": 3, "min_value": Decimal("0")}


def shown(amount: Decimal, currency: str) -> str:
    """An amount in the reader's locale, with its currency's decimals."""
    return f"{formats.number_format(amount, minor_units(currency))} {currency}"


def _end_of(day: Any) -> datetime | None:
    """A date typed by staff is valid until the end of that day, in the organisation's zone."""
    if not day:
        return None
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


class IssueForm(forms.Form):
    kind = forms.ChoiceField(choices=Voucher.Kind.choices, label=_("Type"))
    amount = forms.DecimalField(label=_("Amount"), **AMOUNT)  # type: ignore[arg-type]
    method = forms.ChoiceField(
        required=False,
        label=_("Paid by (gift voucher)"),
        choices=[
            ("", "—"),
            ("cash", _("Cash")),
            ("terminal", _("Card terminal")),
            ("transfer", _("Bank transfer")),
        ],
    )
    expires_on = forms.DateField(
        required=False,
        label=_("Valid until"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    email = forms.EmailField(required=False, label=_("Email address to send it to"))
    note = forms.CharField(required=False, max_length=2000, label=_("Note"))


class RedeemForm(forms.Form):
    code = forms.CharField(max_length=40, label=_("Code"))
    amount = forms.DecimalField(
        required=False,
        label=_("Amount (empty: as much as it holds, up to what is due)"),
        **AMOUNT,  # type: ignore[arg-type]
    )


class CouponForm(forms.Form):
    amount = forms.DecimalField(
        required=False,
        label=_("Amount (empty: the whole overpayment)"),
        **AMOUNT,  # type: ignore[arg-type]
    )
    expires_on = forms.DateField(
        required=False, label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(required=False, max_length=2000, label=_("Note"))


class CancelForm(forms.Form):
    reason = forms.CharField(required=False, max_length=2000, label=_("Reason"))
    refund = forms.DecimalField(required=False, label=_("Refund"), **AMOUNT)  # type: ignore[arg-type]
    coupon = forms.DecimalField(
        required=False,
        label=_("As a coupon"),
        **AMOUNT,  # type: ignore[arg-type]
    )
    coupon_expires_on = forms.DateField(
        required=False,
        label=_("Coupon valid until"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    recredit = forms.BooleanField(
        required=False, label=_("Re-credit coupons and gift vouchers used to pay it")
    )


def _nonzero(value: Decimal | None) -> Decimal | None:
    """An empty field, or 0, is "none of it"."""
    return value if value else None


def _rows(actor: Actor) -> list[Voucher]:
    vouchers = Voucher.objects.filter(organisation_id=actor.organisation_id).select_related(
        "booking"
    )
    rows = list(
        selectors.vouchers_with_balance(vouchers).order_by("-created_at", "-id")[:LIST_LIMIT]
    )
    now = timezone.now()
    for v in rows:
        v.left_shown = shown(v.left, v.currency)  # type: ignore[attr-defined]
        v.expired = v.expires_at is not None and v.expires_at <= now  # type: ignore[attr-defined]
    return rows


@login_required
def vouchers(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    form = IssueForm(request.POST or None)

    def page(status: int) -> HttpResponse:
        return render(
            request,
            "backoffice/vouchers.html",
            {"vouchers": _rows(actor), "form": form, "limit": LIST_LIMIT},
            status=status,
        )

    def issue(data: dict[str, Any]) -> HttpResponse:
        voucher = actions.issue_voucher(
            actor=actor,
            kind=data["kind"],
            amount=data["amount"],
            method=data["method"],
            expires_at=_end_of(data["expires_on"]),
            email=data["email"],
            note=data["note"],
        )
        messages.success(request, _("Issued %(code)s.") % {"code": voucher.code})
        return redirect("backoffice:voucher", code=voucher.code)

    if request.method == "POST":
        return submit(request, form, act=issue, again=page)
    return page(200)


def _get(actor: Actor, code: str) -> Voucher:
    return found_or_404(access_voucher, actor, code, refusal=DomainError)  # type: ignore[no-any-return]


@login_required
def voucher(request: HttpRequest, code: str) -> HttpResponse:
    actor = staff_actor(request)
    found = _get(actor, code)
    return render(request, "backoffice/voucher.html", _detail(found))


def _detail(found: Voucher) -> dict[str, Any]:
    entries = []
    for e in found.entries.select_related("payment__booking").order_by("at", "id"):
        entries.append(
            {
                "kind": e.kind,
                "at": e.at,
                "amount": shown(abs(e.amount), found.currency),
                "booking": e.payment.booking.reference if e.payment else "",
                "actor": e.actor_label,
                "from_refund": e.refund_id is not None,
            }
        )
    left = selectors.voucher_balance(found)
    return {
        "voucher": found,
        "left": shown(left.amount, found.currency),
        "entries": entries,
        "expired": found.expires_at is not None and found.expires_at <= timezone.now(),
        "method": dict(Payment.Method.choices).get(found.method, "") if found.method else "",
    }


@require_POST
@login_required
def send(request: HttpRequest, code: str) -> HttpResponse:
    actor = staff_actor(request)
    try:
        sent = actions.send_voucher(code, actor=actor)
    except VoucherUnknown:
        raise Http404() from None
    except DomainError as error:
        messages.error(request, error.text)
    else:
        messages.success(request, _("Sent %(code)s.") % {"code": sent.code})
    back = request.POST.get("next", "")
    if back == "detail":
        return redirect("backoffice:voucher", code=code)
    return redirect("backoffice:vouchers")


# A booking's money actions -------------------------------------------------------------


def _booking(actor: Actor, reference: str) -> Booking:
    return found_or_404(access_booking_by_reference, actor, reference.upper()[:12])  # type: ignore[no-any-return]


def money_context(booking: Booking, **forms_: forms.Form) -> dict[str, Any]:
    """What `_booking_money_actions.html` needs: the booking, its balance in words, forms."""
    money = selectors.balance(booking)
    zero = Money(Decimal(0), booking.currency)
    overpaid = zero - money.outstanding
    by_money, by_vouchers = selectors.paid_by_kind(booking)
    return {
        "booking": booking,
        "state_label": booking_labels.label(booking_labels.STATES, booking.state),
        "status_label": payment_labels.STATUS.get(money.status.value, ""),
        "due": shown(money.due.amount, booking.currency),
        "paid": shown((money.captured - money.refunded).amount, booking.currency),
        "outstanding": shown(money.outstanding.amount, booking.currency)
        if money.outstanding.amount > 0
        else "",
        "overpaid": shown(overpaid.amount, booking.currency) if overpaid.amount > 0 else "",
        "paid_money": shown(by_money, booking.currency),
        "paid_vouchers": shown(by_vouchers, booking.currency) if by_vouchers else "",
        "cancellable": booking.state not in ("cancelled", "expired", "declined"),
        "redeem_form": forms_.get("redeem") or RedeemForm(),
        "coupon_form": forms_.get("coupon") or CouponForm(),
        "cancel_form": forms_.get("cancel") or CancelForm(),
    }


def _money_page(
    request: HttpRequest, booking: Booking, *, status: int = 200, **forms_: forms.Form
) -> HttpResponse:
    return render(
        request, "backoffice/booking_money.html", money_context(booking, **forms_), status=status
    )


def _back_to_payments(booking: Booking) -> HttpResponse:
    url = reverse("backoffice:booking_payments", args=[booking.reference])
    return redirect(f"{url}#money-actions")


@login_required
def booking_money(request: HttpRequest, reference: str) -> HttpResponse:
    actor = staff_actor(request)
    return _money_page(request, _booking(actor, reference))


# What one of the money forms does with its valid data: calls its action and returns
# the messages to show after it, (level, text) each.
MoneyAct = Callable[[Booking, Actor, dict[str, Any]], list[tuple[int, str]]]


def _money_form(
    request: HttpRequest, reference: str, form_class: type[forms.Form], name: str, act: MoneyAct
) -> HttpResponse:
    """The booking money page's forms (redeem, coupon, cancel with money), one way: parse,
    call the action, and either go back to the payments with what was done or show the
    page again with the form as typed (`name` is its key in `money_context`) and the
    refusal."""
    actor = staff_actor(request)
    booking = _booking(actor, reference)
    form = form_class(request.POST)

    def done(data: dict[str, Any]) -> HttpResponse:
        for level, text in act(booking, actor, data):
            messages.add_message(request, level, text)
        return _back_to_payments(booking)

    return submit(
        request,
        form,
        act=done,
        again=lambda status: _money_page(request, booking, status=status, **{name: form}),
    )


def _redeem(booking: Booking, actor: Actor, data: dict[str, Any]) -> list[tuple[int, str]]:
    payment = actions.redeem_voucher(
        booking.id, data["code"], _nonzero(data["amount"]), actor=actor
    )
    amount = shown(payment.captured, payment.currency)
    return [(messages.SUCCESS, _("%(amount)s paid with the voucher.") % {"amount": amount})]


def _coupon(booking: Booking, actor: Actor, data: dict[str, Any]) -> list[tuple[int, str]]:
    coupon = actions.refund_to_voucher(
        booking.id,
        _nonzero(data["amount"]),
        actor=actor,
        expires_at=_end_of(data["expires_on"]),
        note=data["note"],
    )
    text = _("Coupon %(code)s created; it is not sent yet: send it from the coupon list.")
    return [(messages.SUCCESS, text % {"code": coupon.code})]


def _cancel(booking: Booking, actor: Actor, data: dict[str, Any]) -> list[tuple[int, str]]:
    done = actions.cancel_with_money(
        booking.id,
        actor=actor,
        reason=data["reason"],
        refund_amount=_nonzero(data["refund"]),
        coupon_amount=_nonzero(data["coupon"]),
        recredit_vouchers=data["recredit"],
        coupon_expires_at=_end_of(data["coupon_expires_on"]),
    )
    said = [
        (
            messages.SUCCESS,
            _("Booking %(reference)s cancelled.") % {"reference": booking.reference},
        )
    ]
    if done.pay_back_yourself:
        yourself = _(
            "%(amount)s was paid in cash, by card terminal or by transfer: "
            "pay it back to the customer yourself."
        )
        amount = shown(done.pay_back_yourself, booking.currency)
        said.append((messages.WARNING, yourself % {"amount": amount}))
    if done.coupon is not None:
        said.append((messages.INFO, _("Coupon %(code)s issued.") % {"code": done.coupon.code}))
    return said


@require_POST
@login_required
def booking_redeem(request: HttpRequest, reference: str) -> HttpResponse:
    return _money_form(request, reference, RedeemForm, "redeem", _redeem)


@require_POST
@login_required
def booking_coupon(request: HttpRequest, reference: str) -> HttpResponse:
    return _money_form(request, reference, CouponForm, "coupon", _coupon)


@require_POST
@login_required
def booking_cancel(request: HttpRequest, reference: str) -> HttpResponse:
    return _money_form(request, reference, CancelForm, "cancel", _cancel)
