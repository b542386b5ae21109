"""The customer's personal space: thin views over the accounts, bookings and payments
actions (issue 12 items 4 and 8). Every page but sign-in asks for a signed-in customer user
of this organisation (`space.space_for`); a booking that is not theirs is a 404, the same
answer as one that does not exist."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from functools import wraps
from typing import Any
from urllib.parse import quote, urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS, url_has_allowed_host_and_scheme
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from tentative.accounts import actions as accounts
from tentative.accounts.access import (
    clear_login_failures,
    customer_username,
    is_customer_user,
    login_refusal,
    note_login_failure,
    organisation_by_slug,
)
from tentative.accounts.errors import TooManySignInLinks
from tentative.accounts.models import Organisation
from tentative.bookings.access import allowed_actions
from tentative.bookings.actions.name_players import CUSTOMER_NAMES
from tentative.bookings.labels import STATES
from tentative.bookings.models import LINE_WORDS
from tentative.catalog.models import Service
from tentative.core.states import Action
from tentative.notifications.selectors import ticket_qr_png, tickets_of
from tentative.payments import actions as payments
from tentative.payments.selectors import balance
from tentative.portal import receipts
from tentative.portal.exports import personal_data
from tentative.portal.space import KINDS, STATE_WORDS, Dashboard, Space, dashboard, space_for
from tentative.shared.errors import DomainError, NotFound

BACKEND = "django.contrib.auth.backends.ModelBackend"
SAFE_IN_PATH = RFC3986_SUBDELIMS + "/~:@"  # what `reverse` leaves unquoted
MAX_REASON = 1000


def _organisation(org_slug: str) -> Organisation:
    try:
        organisation = organisation_by_slug(org_slug)
    except NotFound:
        raise Http404() from None
    timezone.activate(organisation.zone)
    return organisation


def signed_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view gets the Space; without one, the visitor is sent to sign in and back."""

    @wraps(view)
    def wrapper(request: HttpRequest, org_slug: str, **kwargs: Any) -> HttpResponse:
        organisation = _organisation(org_slug)
        space = space_for(organisation, request.user)
        if space is None:
            target = reverse("portal:sign_in", args=[organisation.slug])
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        return view(request, space, **kwargs)

    return wrapper


def _booking(space: Space, reference: str):  # type: ignore[no-untyped-def]
    try:
        return space.booking(reference)
    except NotFound:
        raise Http404() from None


def _safe_next(request: HttpRequest, organisation: Organisation, value: str) -> str:
    """Only a page of this organisation's space: never another site, never another space."""
    home = reverse("portal:home", args=[organisation.slug])
    if (
        value
        and value.startswith(home)
        and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()})
    ):
        return value
    return home


class SignInForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"), max_length=254)


class PasswordSignInForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"), max_length=254)
    password = forms.CharField(label=_("Password"), max_length=128, widget=forms.PasswordInput)


class SetPasswordForm(forms.Form):
    password = forms.CharField(label=_("New password"), max_length=128, widget=forms.PasswordInput)
    again = forms.CharField(
        label=_("The same password again"), max_length=128, widget=forms.PasswordInput
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("again"):
            self.add_error("again", _("The two passwords differ."))
        return data


def _link_minutes() -> int:
    """How long an emailed link works (`TENTATIVE_SIGN_IN_LINK_MINUTES`), as the email says."""
    return int(settings.SESAME_MAX_AGE) // 60


def _address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest, org_slug: str) -> HttpResponse:
    organisation = _organisation(org_slug)
    next_path = _safe_next(
        request, organisation, request.POST.get("next") or request.GET.get("next", "")
    )
    if space_for(organisation, request.user) is not None and request.method == "GET":
        return redirect(next_path)
    with_password = request.method == "POST" and "password" in request.POST
    form = SignInForm(None if with_password else (request.POST or None))
    password_form = PasswordSignInForm(request.POST if with_password else None)
    status = 200
    sent = False
    error = ""
    if with_password:
        done, error, status = _password_sign_in(request, organisation, password_form)
        if done:
            return redirect(next_path)
    elif request.method == "POST":
        if form.is_valid():
            try:
                accounts.send_sign_in_link(
                    organisation.id,
                    form.cleaned_data["email"],
                    address=_address(request),
                    language=get_language() or organisation.default_language,
                    next_path=next_path,
                )
                sent = True  # the same answer whether the address is known or not
            except TooManySignInLinks as refusal:
                error, status = refusal.text, refusal.status
        else:
            status = 422
    context = {
        "organisation": organisation,
        "form": form,
        "password_form": password_form,
        "password_error": error if with_password else "",
        "sent": sent,
        "error": "" if with_password else error,
        "next": next_path,
        "expired": request.GET.get("link") == "invalid",
        "minutes": _link_minutes(),
    }
    return render(request, "portal/sign_in.html", context, status=status)


def _password_sign_in(
    request: HttpRequest, organisation: Organisation, form: PasswordSignInForm
) -> tuple[bool, str, int]:
    """Email and password, for customers who set one: limited like the staff sign-in (5
    failures per address and client in 15 minutes), one answer for every failure."""
    if not form.is_valid():
        return False, "", 422
    email = form.cleaned_data["email"].strip().lower()
    key, address, now = f"portal:{organisation.id}:{email}", _address(request), timezone.now()
    if login_refusal(key, address, now=now) is not None:
        return False, gettext("Too many failed attempts. Please wait a quarter of an hour."), 429
    user = authenticate(
        request,
        username=customer_username(organisation.id, email),
        password=form.cleaned_data["password"],
    )
    if user is None or not is_customer_user(user, organisation.id):
        note_login_failure(key, address, now=now)
        return False, gettext("This email and password do not match."), 400
    clear_login_failures(key, address)
    login(request, user, backend=BACKEND)
    return True, "", 200


@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The emailed link. GET shows a button (mail scanners that open links must not spend a
    one-time token); POST checks the token, signs the customer in and goes on. An expired,
    used, tampered or foreign token, or one for anyone but a customer user of this
    organisation, signs no one in and says to ask for a new link."""
    organisation = _organisation(org_slug)
    token = request.POST.get("sesame") or request.GET.get("sesame", "")
    next_path = _safe_next(
        request, organisation, request.POST.get("next") or request.GET.get("next", "")
    )
    if request.method == "GET":
        return render(
            request,
            "portal/link.html",
            {"organisation": organisation, "token": token, "next": next_path},
        )
    user = accounts.use_sign_in_link(organisation.id, token)
    if user is None:
        context = {"organisation": organisation, "next": next_path, "minutes": _link_minutes()}
        return render(request, "portal/link_invalid.html", context, status=400)
    login(request, user, backend=BACKEND)
    return redirect(next_path)


@require_POST
def sign_out(request: HttpRequest, org_slug: str) -> HttpResponse:
    organisation = _organisation(org_slug)
    if is_customer_user(request.user, organisation.id):
        logout(request)
    return redirect("portal:sign_in", organisation.slug)


def _page(
    request: HttpRequest, space: Space, template: str, status: int = 200, **context: Any
) -> HttpResponse:
    context.update(
        organisation=space.organisation,
        space=space,
        customer_names=", ".join(c.name for c in space.customers),
    )
    return render(request, f"portal/{template}", context, status=status)


@signed_in
def home(request: HttpRequest, space: Space) -> HttpResponse:
    now = timezone.now()
    board = dashboard(space, now=now)
    _print(board, space.organisation)
    return _page(request, space, "home.html", board=board, kinds=KINDS, states=STATES, now=now)


def _print(board: Dashboard, organisation: Organisation) -> None:
    """The dashboard's links, amounts and dates as the page prints them, computed here once
    per distinct value: a company's list runs to hundreds of rows, and `{% url %}`,
    `|floatformat` and `|date` per row were most of the page's time (bench/portal.py,
    docs/portal.md). The same functions as the template's tags, so the same text."""
    marker = "REFERENCE"
    before, _, after = reverse("portal:booking", args=[organisation.slug, marker]).rpartition(
        marker
    )
    amounts: dict[str, str] = {}
    dates: dict[datetime, str] = {}

    def amount(value: Decimal) -> str:
        key = str(value)
        if key not in amounts:
            amounts[key] = floatformat(value, 2)
        return amounts[key]

    def when(value: datetime) -> str:
        if value not in dates:
            dates[value] = date_filter(template_localtime(value), "DATETIME_FORMAT")
        return dates[value]

    for row in board.bookings:
        row.url = before + quote(row.reference, safe=SAFE_IN_PATH) + after  # type: ignore[attr-defined]
        row.total_text = amount(row.total)  # type: ignore[attr-defined]
        row.first_at_text = when(row.first_at) if row.first_at else ""  # type: ignore[attr-defined]
    for item in board.awaiting:
        item.amount_text = amount(item.amount) if item.amount else ""
        item.deadline_text = when(item.deadline) if item.deadline else ""


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _booking_page(
    request: HttpRequest,
    space: Space,
    reference: str,
    *,
    error: str = "",
    status: int = 200,
    cancel_form: CancelForm | None = None,
) -> HttpResponse:
    booking, actor = _booking(space, reference)
    now = timezone.now()
    lines = list(booking.lines.select_related(*LINE_WORDS).order_by("starts_at", "id"))
    money = balance(booking)
    outstanding = money.outstanding.amount
    can_pay = booking.state in ("option", "confirmed") and outstanding > 0
    can_cancel = Action.CANCEL in allowed_actions(actor, booking, now=now)
    sessions = [
        ln for ln in lines if ln.service_id and ln.service.kind == Service.Kind.ROOM_SESSION
    ]
    return _page(
        request,
        space,
        "booking.html",
        status=status,
        booking=booking,
        lines=lines,
        money=money,
        outstanding=outstanding,
        state_label=STATES.get(booking.state, booking.state),
        state_words=STATE_WORDS.get(booking.state, ""),
        can_pay=can_pay,
        can_cancel=can_cancel,
        # A room session's players: named by the customer while it is still to be played.
        can_name=bool(sessions)
        and booking.state_enum in CUSTOMER_NAMES
        and all(ln.starts_at > now for ln in sessions),
        cancel_form=cancel_form or CancelForm(),
        payments=list(booking.payments.exclude(captured=0).order_by("created_at")),
        error=error,
    )


@signed_in
def booking(request: HttpRequest, space: Space, reference: str) -> HttpResponse:
    return _booking_page(request, space, reference)


@require_POST
@signed_in
def pay(request: HttpRequest, space: Space, reference: str) -> HttpResponse:
    """Pay what is still due with the simulated card: an option becomes a firm purchase
    when the payment is captured (payments' confirm), a staff-made booking gets paid."""
    booking, actor = _booking(space, reference)
    outstanding = balance(booking).outstanding.amount
    if booking.state not in ("option", "confirmed") or outstanding <= 0:
        return _booking_page(
            request, space, reference, error=gettext("Nothing is due on this booking."), status=409
        )
    try:
        payment = payments.start_payment(booking.id, actor=actor, amount=outstanding)
    except DomainError as refusal:
        return _booking_page(request, space, reference, error=refusal.text, status=refusal.status)
    return redirect(reverse("public:card", args=[payment.reference]) + "?from=portal")


@signed_in
def paid(request: HttpRequest, space: Space, reference: str, payment: str) -> HttpResponse:
    """Back from the card processor's page: ask it what happened, apply it, show the booking."""
    booking, _actor = _booking(space, reference)
    if not booking.payments.filter(reference=payment).exists():
        raise Http404()
    try:
        outcome = payments.apply_return(payment)
    except DomainError:
        raise Http404() from None  # not a card payment: nothing to come back from
    booking.refresh_from_db()
    state = booking.payments.filter(reference=payment).values_list("state", flat=True).first()
    if state == "captured":
        messages.success(request, gettext("Paid, thank you!"))
    elif state == "failed":
        messages.error(request, gettext("The card was declined. You can try again."))
    elif outcome is None or state == "pending":
        messages.info(request, gettext("Your payment is not finished yet."))
    return redirect("portal:booking", space.organisation.slug, booking.reference)


@require_POST
@signed_in
def cancel(request: HttpRequest, space: Space, reference: str) -> HttpResponse:
    booking, actor = _booking(space, reference)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _booking_page(request, space, reference, cancel_form=form, status=422)
    try:
        # The payments part's cancellation: with money paid, it stays for the organiser to
        # give back (a customer never refunds themselves).
        payments.cancel_with_money(booking.id, actor=actor, reason=form.cleaned_data["reason"])
    except DomainError as refusal:
        return _booking_page(
            request, space, reference, error=refusal.text, status=refusal.status, cancel_form=form
        )
    messages.success(request, gettext("Your booking is cancelled."))
    return redirect("portal:booking", space.organisation.slug, booking.reference)


@signed_in
def tickets(request: HttpRequest, space: Space, reference: str) -> HttpResponse:
    booking, _actor = _booking(space, reference)
    if booking.state != "confirmed" or balance(booking).outstanding.amount > 0:
        raise Http404()
    rows = [
        {
            "code": code,
            "line": line,
            "qr": base64.b64encode(ticket_qr_png(code)).decode("ascii"),
        }
        for code, line in tickets_of(booking)
    ]
    return _page(request, space, "tickets.html", booking=booking, tickets=rows)


@signed_in
def receipt(request: HttpRequest, space: Space, reference: str) -> HttpResponse:
    booking, _actor = _booking(space, reference)
    pdf = receipts.receipt_pdf(booking, now=timezone.now())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{booking.reference}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
@signed_in
def password(request: HttpRequest, space: Space) -> HttpResponse:
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.set_customer_password(
                space.user,
                form.cleaned_data["password"],
                actor=space.actor_for(space.customers[0].id),
            )
        except DomainError as refusal:
            form.add_error("password", refusal.text)
        else:
            # Changing the password ends the session's hash check: sign in again at once.
            login(request, space.user, backend=BACKEND)
            messages.success(request, gettext("Your password is set."))
            return redirect("portal:data", space.organisation.slug)
    status = 422 if request.method == "POST" else 200
    return _page(request, space, "password.html", status=status, form=form)


class ErasureForm(forms.Form):
    note = forms.CharField(
        label=_("Anything the organiser should know (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my personal data will be erased and cannot be brought back.")
    )


def _data_page(
    request: HttpRequest, space: Space, form: ErasureForm | None = None, status: int = 200
) -> HttpResponse:
    pending = [c for c in space.customers if c.erasure_requests.filter(status="pending").exists()]
    blocking = sorted(
        {ref for c in space.customers for ref in accounts.blocking_bookings(c, now=timezone.now())}
    )
    return _page(
        request,
        space,
        "data.html",
        status=status,
        form=form or ErasureForm(),
        pending=bool(pending),
        blocking=blocking,
    )


@signed_in
def data(request: HttpRequest, space: Space) -> HttpResponse:
    return _data_page(request, space)


@signed_in
def export(request: HttpRequest, space: Space) -> HttpResponse:
    body = personal_data(space, now=timezone.now())
    response = JsonResponse(body, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@require_POST
@signed_in
def erase(request: HttpRequest, space: Space) -> HttpResponse:
    form = ErasureForm(request.POST)
    if not form.is_valid():
        return _data_page(request, space, form, status=422)
    email = (space.user.email or "").lower()
    own = [c for c in space.customers if c.email.lower() == email]
    note = form.cleaned_data["note"]
    if not own:
        # A company's contact asks for their own data (a contact row): the request goes to
        # the companies that list them, saying who asked.
        own, note = space.customers, f"{space.user.email}: {note}".strip(": ")
    for customer in own:
        accounts.request_erasure(customer.id, actor=space.actor_for(customer.id), note=note)
    messages.success(
        request,
        gettext("Your request is recorded. The organiser erases your data once nothing keeps it."),
    )
    return redirect("portal:data", space.organisation.slug)
