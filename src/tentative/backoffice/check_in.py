"""The door: `/staff/check-in/` to type or scan a ticket's code (the phone's camera where
the browser has `BarcodeDetector`, else typing), answering valid / already used (since
when) / not valid / not paid; with a date chosen, the door checks that date only and lists
who came in and how many are expected.

Each form carries a nonce made when the page was drawn, so a double-submit or a reloaded
POST counts once (`checkin.actions.check_in`).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tentative.backoffice.access import staff_actor
from tentative.backoffice.links import booking_url
from tentative.checkin import actions, labels, selectors
from tentative.checkin.models import Outcome
from tentative.shared.errors import DomainError, NotFound

TONES = {
    Outcome.VALID: "ok",
    Outcome.ALREADY_USED: "warn",
    Outcome.NOT_VALID: "bad",
    Outcome.NOT_PAID: "warn",
}
RETRY = _("This form could not be read; please scan again.")


class ScanForm(forms.Form):
    code = forms.CharField(
        label=_("Ticket code"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
    nonce = forms.CharField(max_length=actions.MAX_NONCE, widget=forms.HiddenInput)
    date = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )


def _new_nonce() -> str:
    return "web-" + secrets.token_urlsafe(16)


@login_required
def check_in(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    date = None
    date_param = request.POST.get("date") or request.GET.get("date") or ""
    if date_param:
        try:
            date = selectors.access_date(actor, int(date_param))
        except (NotFound, ValueError):
            raise Http404() from None
    result = None
    status = 200
    form = ScanForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                result = actions.check_in(
                    actor=actor,
                    code=form.cleaned_data["code"],
                    nonce=form.cleaned_data["nonce"],
                    event_date_id=date.id if date else None,
                )
            except DomainError as error:
                form.add_error("code", error.text)
                status = error.status
        else:
            status = 422
            if "nonce" in form.errors or "date" in form.errors:
                # Not the typist's fault: the page was tampered with or is too old.
                form.add_error("code", RETRY)
                form.data = form.data.copy()
                form.data["nonce"] = _new_nonce()
    if result is not None or request.method != "POST":
        # A fresh form (and nonce) for the next ticket.
        form = ScanForm(initial={"nonce": _new_nonce(), "date": date.id if date else None})
    rows = selectors.attendees(date) if date else []
    came = sorted((r for r in rows if r.checked_in_at), key=lambda r: r.checked_in_at, reverse=True)
    return render(
        request,
        "backoffice/check_in.html",
        {
            "form": form,
            "date": date,
            "dates": selectors.upcoming_dates(actor, timezone.now() - timedelta(hours=12)),
            "result": result,
            "outcome_label": labels.OUTCOMES[result.outcome] if result else "",
            "reason": labels.REASONS.get(result.reason, "") if result else "",
            "booking_link": booking_url(result.booking.reference)
            if result and result.booking
            else "",
            "tone": TONES.get(result.outcome, "info") if result else "",
            "came": came,
            "expected": len(rows),
        },
        status=status,
    )
