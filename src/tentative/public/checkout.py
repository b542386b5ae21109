"""The public checkout: hold places, fill the form while they are held, submit, done.

- `hold` (POST from an event page): the chosen places become a checkout hold
  (`bookings.actions.hold_places`), a real option that lapses by itself; the visitor goes
  to the checkout page named by the hold's secret token.
- `checkout` shows the time left (a countdown, a warning two minutes before the end with a
  "more time" button: WCAG 2.2.1), what is held, and the form: contact details, a name per
  place when the event asks, the event's questions. Submitting (`check_out`) turns the hold
  into a request, a reservation or a purchase in one action.
- `extend` gives the hold more time (at most twice), through the engine.
- `done` says what happens next, in the words of the mode, and links to the personal space.

A token that is unknown, tampered with, already used or past its limit gets a page that
says so and what to do next (choose the places again), never a 500.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.views.decorators.http import require_http_methods, require_POST

from tentative.accounts.models import Organisation
from tentative.bookings import actions as booking_actions
from tentative.bookings import selectors as booking_selectors
from tentative.bookings.errors import HoldGone, HoldUnknown
from tentative.bookings.models import LINE_WORDS, Booking
from tentative.catalog import selectors
from tentative.payments import actions as payment_actions
from tentative.public import forms
from tentative.public.shop import SaleMode, date_rows, organisation_for, sale_modes
from tentative.shared.actor import Actor
from tentative.shared.errors import DomainError, NotFound

SESSION_DONE = "public_done"  # references this browser submitted: it may see their pages
WARN_SECONDS = 120


def _address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


@require_POST
def hold(request: HttpRequest, org_slug: str, date_id: int) -> HttpResponse:
    organisation = organisation_for(request, org_slug)
    try:
        event_date = selectors.public_date(organisation.id, date_id)
    except NotFound:
        raise Http404() from None
    form = forms.HoldForm(request.POST)
    error = ""
    if form.is_valid():
        data = form.cleaned_data
        ticket_type = next(
            (
                t
                for t in selectors.ticket_types_of([event_date.event_id]).get(
                    event_date.event_id, []
                )
                if t.id == data["ticket_type"]
            ),
            None,
        )
        mode = data["mode"]
        if ticket_type is None:
            error = str(forms.UNKNOWN_TICKET)
        elif mode not in sale_modes(ticket_type, event_date):
            error = str(forms.MODE_NOT_OFFERED)
        else:
            try:
                held = booking_actions.hold_places(
                    actor=Actor.visitor(organisation.id),
                    organisation_id=organisation.id,
                    event_date_id=event_date.id,
                    ticket_type_id=ticket_type.id,
                    quantity=data["quantity"],
                    request=mode == SaleMode.REQUEST,
                    address=_address(request),
                    language=translation.get_language() or "",
                )
            except DomainError as refusal:
                return _event_again(
                    request, organisation, event_date.event_id, refusal.text, status=refusal.status
                )
            url = reverse("public:checkout", args=[organisation.slug, held.checkout_token])
            return redirect(f"{url}?mode={mode}")
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    return _event_again(request, organisation, event_date.event_id, error, status=422)


def _event_again(
    request: HttpRequest, organisation: Organisation, event_id: int, error: str, *, status: int
) -> HttpResponse:
    """The event page again with the refusal at the top, said in the visitor's language."""
    event = selectors.public_event(organisation.id, event_id)
    now = timezone.now()
    dates = list(selectors.upcoming_dates(organisation.id, now=now, event_id=event_id))
    context = {
        "organisation": organisation,
        "event": event,
        "rows": date_rows(organisation, dates, now=now),
        "error": error,
    }
    return render(request, "public/event.html", context, status=status)


def _held(organisation: Organisation, token: str) -> Booking:
    """The hold of this token, live; HoldUnknown or HoldGone otherwise."""
    booking = booking_selectors.checkout_hold(organisation.id, token)
    if booking is None:
        raise HoldUnknown()
    if booking_selectors.hold_lapsed(booking, timezone.now()):
        raise HoldGone()
    return booking


def _gone(request: HttpRequest, organisation: Organisation, refusal: DomainError) -> HttpResponse:
    context = {"organisation": organisation, "message": refusal.text}
    return render(request, "public/hold_gone.html", context, status=refusal.status)


def _modes(booking: Booking) -> list[str]:
    """What the visitor may turn this hold into: request, or buy and perhaps reserve."""
    line = booking.lines.all()[0]
    return [mode.value for mode in sale_modes(line.ticket_type, line.event_date)]


@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    organisation = organisation_for(request, org_slug)
    try:
        booking = _held(organisation, token)
    except (HoldUnknown, HoldGone) as refusal:
        return _gone(request, organisation, refusal)
    lines = list(booking.lines.select_related(*LINE_WORDS).order_by("id"))
    booking._prefetched_objects_cache = {"lines": lines}  # type: ignore[attr-defined]
    # A request stays a request; a held option becomes a purchase or a reservation.
    modes = [m for m in _modes(booking) if (m == "request") == (booking.state == "request")]
    if not modes:  # no longer offered on the web since the places were held
        return _gone(request, organisation, HoldUnknown())
    event = lines[0].event_date.event
    questions = list(selectors.questions_of_event(event.id))
    wanted = request.GET.get("mode", "")
    initial_mode = wanted if wanted in modes else modes[0]
    form = forms.CheckoutForm(
        request.POST or None,
        modes=modes,
        places=sum(line.quantity for line in lines) if event.names_required else 0,
        questions=questions,
        languages=organisation.languages or [organisation.default_language],
        initial={"mode": initial_mode, "language": translation.get_language()},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                done = booking_actions.check_out(
                    token,
                    actor=Actor.visitor(organisation.id),
                    submission=form.submission(),
                )
            except (HoldUnknown, HoldGone) as refusal:
                return _gone(request, organisation, refusal)
            except DomainError as refusal:
                form.add_refusal(refusal)
                status = refusal.status
            else:
                return _after_submit(request, organisation, done)
        else:
            status = 422
    context: dict[str, Any] = {
        "organisation": organisation,
        "booking": booking,
        "lines": lines,
        "event": event,
        "form": form,
        "modes": modes,
        "warn_seconds": WARN_SECONDS,
        "warning": (booking.deadline_enforced - timezone.now()).total_seconds() <= WARN_SECONDS,
        "more_time": booking.checkout_extensions < booking_actions.MAX_EXTENSIONS,
        "now": timezone.now(),
    }
    return render(request, "public/checkout.html", context, status=status)


def _after_submit(
    request: HttpRequest, organisation: Organisation, booking: Booking
) -> HttpResponse:
    done = [r for r in request.session.get(SESSION_DONE, []) if r != booking.reference]
    request.session[SESSION_DONE] = [*done[-19:], booking.reference]
    if booking.state == "option" and booking.checkout_mode == SaleMode.BUY and booking.total > 0:
        customer = Actor.customer(booking.customer, via="public")
        payment = payment_actions.start_payment(booking.id, actor=customer, amount=booking.total)
        return redirect("public:card", reference=payment.reference)
    return redirect("public:done", org_slug=organisation.slug, reference=booking.reference)


@require_POST
def extend(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    organisation = organisation_for(request, org_slug)
    try:
        booking_actions.extend_hold(token, actor=Actor.visitor(organisation.id))
    except (HoldUnknown, HoldGone) as refusal:
        return _gone(request, organisation, refusal)
    except DomainError:
        pass  # no more time to give: the page says so (the button is gone)
    return redirect("public:checkout", org_slug=organisation.slug, token=token)


@require_http_methods(["GET", "POST"])
def done(request: HttpRequest, org_slug: str, reference: str) -> HttpResponse:
    """What happens next. Only the browser that submitted the booking sees it (the
    reference alone proves nothing); the personal space shows it to its customer. A
    purchase not paid yet (the card declined, the page left) can be paid again here."""
    organisation = organisation_for(request, org_slug)
    if reference not in request.session.get(SESSION_DONE, []):
        raise Http404()
    booking = booking_selectors.submitted(organisation.id, reference)
    if booking is None:
        raise Http404()
    if request.method == "POST":
        return _after_submit(request, organisation, booking)
    attempt = None
    if returned := request.GET.get("payment", ""):
        attempt = booking.payments.filter(reference=returned).first()
        if attempt is not None:
            # Not a hosted payment: the page shows the booking as it stands.
            with suppress(DomainError):
                payment_actions.apply_return(returned)
            attempt.refresh_from_db()
            booking.refresh_from_db()
    lines = list(booking.lines.select_related(*LINE_WORDS).order_by("id"))
    context = {
        "organisation": organisation,
        "booking": booking,
        "lines": lines,
        "attempt": attempt,
        "space": portal_link(organisation, booking),
        "held_until": _sentence_end(booking.deadline_shown),
    }
    return render(request, "public/done.html", context)


def _sentence_end(moment: datetime | None) -> str:
    """A date and time that ends a sentence: English writes "11:35 a.m.", and the sentence's
    own full stop would make it "a.m..", so the format's last full stop goes."""
    if moment is None:
        return ""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT").rstrip(".")


def portal_link(organisation: Organisation, booking: Booking) -> str:
    """The booking in the customer's personal space (the portal's page)."""
    try:
        return reverse("portal:booking", args=[organisation.slug, booking.reference])
    except NoReverseMatch:  # until the portal is merged: its URL pattern
        return f"/o/{organisation.slug}/me/bookings/{booking.reference}/"
