"""The customer's pay page for a payment request (a link staff send): `/pay/<token>/`.

Whoever holds the link may pay it (the token is unguessable). The page shows the
organisation, the booking, what it asks and until when (in the organisation's time zone,
the reader's language), and a "Pay" button that opens a fresh payment with the simulated
card and sends the customer to its hosted page. Coming back (`returned`), the page asks the
processor what happened and applies it: whichever of this and the processor's notification
arrives first, the money counts once.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from tentative.bookings.models import LINE_WORDS
from tentative.core.money import Money
from tentative.payments import actions, selectors
from tentative.payments.access import request_by_token
from tentative.payments.models import Payment, PaymentRequest
from tentative.shared.errors import DomainError, NotFound


def _request(token: str) -> PaymentRequest:
    try:
        request = request_by_token(token)
    except NotFound:
        raise Http404() from None
    timezone.activate(request.organisation.zone)
    return request


@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, token: str) -> HttpResponse:
    link = _request(token)
    if request.method == "POST":
        try:
            payment = actions.pay_request(token)
        except DomainError as refusal:
            return _page(request, link, error=refusal.text, status=refusal.status)
        return redirect("public:card", reference=payment.reference)
    attempt = None
    if reference := request.GET.get("payment", ""):
        attempt = link.payments.filter(reference=reference).first()
    return _page(request, link, attempt=attempt)


def returned(request: HttpRequest, token: str, reference: str) -> HttpResponse:
    """Back from the hosted page: apply the processor's answer, then show the result."""
    link = _request(token)
    if not link.payments.filter(reference=reference).exists():
        raise Http404()
    actions.apply_return(reference)
    return redirect(f"{reverse('public:pay', args=[token])}?payment={reference}")


def _page(
    request: HttpRequest,
    link: PaymentRequest,
    *,
    attempt: Payment | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    link.refresh_from_db()
    booking = link.booking
    lines = booking.lines.select_related(*LINE_WORDS).order_by("id")
    context: dict[str, Any] = {
        "link": link,
        "booking": booking,
        "organisation": link.organisation,
        "lines": lines,
        "state": link.shown_state(now),
        "attempt": attempt,
        "attempt_state": attempt.state if attempt else "",
        "processor_state": selectors.simulated_state(attempt) if attempt else "",
        "error": error,
        # Quantized to the currency's minor unit, shown in the reader's locale (40,00 in fr).
        "amount": Money(link.amount, link.currency).amount,
    }
    return render(request, "public/pay.html", context, status=status)
