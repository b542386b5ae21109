"""The simulated card processor's hosted page: `/simulated-card/<payment reference>/`.

It stands for a real processor's site and says so everywhere: SIMULATED, test mode, no
money moves. The tester chooses success, decline or "pending" (decided later on the same
page) and how the signed notifications travel (late by N minutes, twice, out of order);
the worker posts them. Then the customer is sent back to the shop's return page.
"""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tentative.core.money import Money
from tentative.payments import actions, selectors
from tentative.payments.access import access_payment
from tentative.payments.actions import simulated_card
from tentative.payments.models import Payment
from tentative.shared.actor import Actor
from tentative.shared.errors import NotFound

MAX_LATE_MINUTES = 24 * 60
# What the processor answered, in words (its states are the payment states' codes).
ANSWERS = {
    "authorised": pgettext_lazy("processor answer", "authorised (the money is held on the card)"),
    "captured": pgettext_lazy("processor answer", "paid"),
    "failed": pgettext_lazy("processor answer", "declined"),
    "cancelled": pgettext_lazy("processor answer", "cancelled"),
    "expired": pgettext_lazy("processor answer", "expired"),
}


class CardForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("What the card does"),
        widget=forms.RadioSelect,
        initial=simulated_card.Choice.SUCCESS.value,
        choices=[
            (simulated_card.Choice.SUCCESS.value, _("Success: the payment goes through")),
            (simulated_card.Choice.DECLINE.value, _("Decline: the bank refuses")),
            (simulated_card.Choice.PENDING.value, _("Pending: decided later, on this page")),
        ],
    )
    late_minutes = forms.IntegerField(
        label=_("Send the notifications late by (minutes)"),
        min_value=0,
        max_value=MAX_LATE_MINUTES,
        initial=0,
    )
    twice = forms.BooleanField(label=_("Send each notification twice"), required=False)
    out_of_order = forms.BooleanField(
        label=_("Out of order: “authorised” after “captured”"), required=False
    )


class DecideForm(forms.Form):
    choice = forms.ChoiceField(
        choices=[
            (simulated_card.Choice.SUCCESS.value, ""),
            (simulated_card.Choice.DECLINE.value, ""),
        ]
    )


def _payment(reference: str) -> Payment:
    try:
        payment = access_payment(Actor.system("simulated card"), reference)
    except NotFound:
        raise Http404() from None
    if payment.provider != "simulated":
        raise Http404()
    timezone.activate(payment.organisation.zone)
    return payment


def return_url(payment: Payment, *, portal: bool = False) -> str:
    """Where the processor sends the customer back: the link's page, the booking's page in
    the personal space when it was paid from there (`?from=portal`, a fixed target, never a
    URL taken from the request), else this page."""
    if portal and payment.request_id is None:
        return reverse(
            "portal:paid",
            args=[payment.organisation.slug, payment.booking.reference, payment.reference],
        )
    if payment.request_id is not None:
        return reverse("public:returned", args=[payment.request.token, payment.reference])  # type: ignore[union-attr]
    booking = payment.booking
    if booking.checkout_mode:  # bought on the public pages: back to the checkout's last page
        done = reverse("public:done", args=[booking.organisation.slug, booking.reference])
        return f"{done}?payment={payment.reference}"
    return reverse("public:card", args=[payment.reference])


@require_http_methods(["GET", "POST"])
def card(request: HttpRequest, reference: str) -> HttpResponse:
    payment = _payment(reference)
    form = CardForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            actions.simulated_checkout(
                reference,
                simulated_card.Choice(data["choice"]),
                delivery=simulated_card.Delivery(
                    late_minutes=data["late_minutes"],
                    twice=data["twice"],
                    out_of_order=data["out_of_order"],
                ),
            )
            return redirect(return_url(payment, portal=_from_portal(request)))
        return _page(request, payment, form, status=422)
    return _page(request, payment, form)


@require_POST
def decide(request: HttpRequest, reference: str) -> HttpResponse:
    payment = _payment(reference)
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _page(request, payment, CardForm(), status=422)
    actions.simulated_decide(reference, simulated_card.Choice(form.cleaned_data["choice"]))
    return redirect(return_url(payment, portal=_from_portal(request)))


def _from_portal(request: HttpRequest) -> bool:
    return request.GET.get("from") == "portal"


def _page(
    request: HttpRequest, payment: Payment, form: CardForm, status: int = 200
) -> HttpResponse:
    context = {
        "payment": payment,
        "amount": Money(payment.amount, payment.currency).amount,
        "organisation": payment.organisation,
        "processor_state": (state := selectors.simulated_state(payment)),
        "answer": ANSWERS.get(state, state),
        "form": form,
        "back": return_url(payment, portal=_from_portal(request)),
    }
    return render(request, "public/card.html", context, status=status)
