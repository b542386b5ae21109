"""Cancel a room session's booking with its money (seed 004, issue 14 item 6):
`/staff/bookings/<REF>/session/cancel/`, the session booking's "Cancel" tab.

Nothing new underneath: the form and what it does are the payments part's "cancel with
money back" (`backoffice/vouchers.py`: `CancelForm`, `_cancel` → `payments.actions.
cancel_with_money`): a refund (whole or part), a coupon (whole or part), the coupons and
gift vouchers that paid it re-credited when ticked, the cancellation email. This page says
it for a session (what was paid, how; that refunds of cash, card-terminal or bank-transfer
payments are made by staff at the till or the bank) and puts a refusal next to its field:
a coupon or refund larger than what was paid is refused on the field that asked for it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tentative.backoffice.access import staff_actor
from tentative.backoffice.links import booking_url
from tentative.backoffice.planning import _timed_booking
from tentative.backoffice.posting import submit
from tentative.backoffice.vouchers import CancelForm, _cancel, money_context
from tentative.shared.errors import DomainError


def _on_field(form: forms.BaseForm, error: DomainError) -> str:
    """ "Too much back": on the coupon when one was asked, else on the refund."""
    if error.code == "money_back_too_large":
        data = getattr(form, "cleaned_data", {})
        form.add_error("coupon" if data.get("coupon") else "refund", str(error.text))
    return str(error.text)


@login_required
def cancel(request: HttpRequest, reference: str) -> HttpResponse:
    actor = staff_actor(request)
    booking, lines = _timed_booking(actor, reference)
    form = CancelForm(request.POST or None)

    def page(status: int = 200) -> HttpResponse:
        context: dict[str, Any] = money_context(booking, cancel=form)
        context.update(line=lines[0], form=form)
        return render(request, "backoffice/session_cancel.html", context, status=status)

    if request.method != "POST":
        return page()

    def done(data: dict[str, Any]) -> HttpResponse:
        for level, text in _cancel(booking, actor, data):
            messages.add_message(request, level, text)
        return redirect(booking_url(booking.reference))

    return submit(request, form, act=done, again=page, refused=_on_field)


__all__ = ["cancel"]
