"""The organisation's settings and its staff accounts (issue 11 items 2 and 9), and the
sign-in pages: a rate-limited login, "forgot my password", and setting a password from an
invitation or reset link (Django's token views, in our pages).

Owners change settings and staff (`core.permissions.STAFF_DUTIES`); everyone on the staff
reads both pages. The actions check the same rights.
"""

from __future__ import annotations

import zoneinfo
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tentative.accounts import actions
from tentative.accounts.access import (
    access_membership,
    clear_login_failures,
    login_refusal,
    may,
    members,
    note_login_failure,
)
from tentative.accounts.errors import InvalidSettings
from tentative.backoffice.access import staff_actor
from tentative.bookings.labels import ROLES
from tentative.core.deadlines import AtLimit, Policy
from tentative.core.permissions import Duty, Role
from tentative.shared.actor import Actor
from tentative.shared.errors import DomainError, NotFound

INVALID = _("Please correct the form.")
SAVED = _("Saved.")
POLICIES = [
    (Policy.STRICT.value, _("Strict: an overdue option is released at its deadline")),
    (Policy.FLEXIBLE.value, _("Flexible: an overdue option stays, flagged, until staff decide")),
]
AT_LIMIT = [
    (AtLimit.RELEASE.value, _("Release the places")),
    (AtLimit.REVIEW.value, _("Keep it for staff to review")),
]
CURRENCIES = ["EUR", "USD", "GBP", "CHF", "CAD", "JPY", "SEK", "NOK", "DKK", "PLN", "CZK", "MXN"]


def _role_choices() -> list[tuple[str, Any]]:
    return [(r.value, ROLES[r.value]) for r in Role]


def _number(name: str, label: Any, *, required: bool = True, help_text: Any = "") -> forms.Field:
    """A number setting: its range is the action's (`update_settings.RANGES`), which checks
    it whatever face sends it; here it only hints the browser."""
    low, high = actions.SETTINGS_RANGES[name]
    return forms.IntegerField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"min": low, "max": high}),
    )


class SettingsForm(forms.Form):
    name = forms.CharField(max_length=200, label=_("Organisation name"))
    time_zone = forms.ChoiceField(label=_("Time zone"))
    currency = forms.ChoiceField(choices=[(c, c) for c in CURRENCIES], label=_("Currency"))
    default_language = forms.ChoiceField(
        choices=settings.LANGUAGES, label=_("Language of emails and staff notices")
    )
    deadline_policy = forms.ChoiceField(choices=POLICIES, label=_("At an option's deadline"))
    deadline_grace_hours = forms.IntegerField(
        min_value=0,
        max_value=24 * 365,
        required=False,
        label=_("Flexible: grace after the deadline (hours)"),
    )
    deadline_at_limit = forms.ChoiceField(
        choices=AT_LIMIT, label=_("Flexible: at the end of the grace")
    )
    quote_validity_days = forms.IntegerField(
        min_value=1, max_value=3650, label=_("A quote is valid for (days)")
    )
    # The public pages (issue 12) and how long personal data is kept.
    languages = forms.MultipleChoiceField(
        choices=settings.LANGUAGES,
        required=False,  # none ticked: the action says why that is refused
        widget=forms.CheckboxSelectMultiple,
        label=_("Languages of the public pages"),
        help_text=_("The default language must be one of them."),
    )
    checkout_hold_minutes = _number(
        "checkout_hold_minutes",
        _("Places chosen online are held while the visitor checks out (minutes)"),
    )
    public_max_places_per_order = _number(
        "public_max_places_per_order", _("Most places in one online order")
    )
    public_max_open_per_customer = _number(
        "public_max_open_per_customer", _("Most open bookings per customer online")
    )
    retention_days = _number(
        "retention_days",
        _("Delete customers' personal data this many days after their date"),
        required=False,
        help_text=_("Leave empty to keep it."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [  # type: ignore[attr-defined]
            (z, z) for z in sorted(zoneinfo.available_timezones())
        ]

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        hours = data.pop("deadline_grace_hours")
        data["deadline_grace"] = None if hours is None else timedelta(hours=hours)
        return data


@login_required
def organisation_settings(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    org = request.staff_organisation  # type: ignore[attr-defined]
    grace = org.deadline_grace
    initial = {
        name: getattr(org, name) for name in actions.SETTINGS_FIELDS if name != "deadline_grace"
    }
    initial["deadline_grace_hours"] = None if grace is None else int(grace.total_seconds() // 3600)
    form = SettingsForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.update_settings(org.id, actor=actor, values=form.values())
            except InvalidSettings as error:
                for field, texts in error.fields.items():
                    target = "deadline_grace_hours" if field == "deadline_grace" else field
                    for text in texts:
                        form.add_error(target if target in form.fields else None, text)
                status = error.status
            except DomainError as error:
                field = "currency" if error.code == "currency_in_use" else None
                form.add_error(field, error.text)
                messages.error(request, error.text)
                status = error.status
            else:
                messages.success(request, SAVED)
                return redirect("backoffice:settings")
        else:
            status = 422
        if status == 422:
            messages.error(request, INVALID)
    return render(
        request,
        "backoffice/staff/settings.html",
        {"form": form, "may_change": may(actor, Duty.SETTINGS)},
        status=status,
    )


class InviteForm(forms.Form):
    email = forms.EmailField(max_length=150, label=_("Email"))
    role = forms.ChoiceField(label=_("Role"))
    language = forms.ChoiceField(choices=settings.LANGUAGES, label=_("Language of the email"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices()  # type: ignore[attr-defined]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices()  # type: ignore[attr-defined]


def _staff_page(
    request: HttpRequest,
    actor: Actor,
    *,
    form: InviteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = [
        {
            "m": m,
            "role": ROLES.get(m.role, m.role),
            "form": RoleForm(initial={"role": m.role}, prefix=f"m{m.id}"),
        }
        for m in members(actor).order_by("user__username", "id")
    ]
    return render(
        request,
        "backoffice/staff/staff.html",
        {
            "rows": rows,
            "form": form
            or InviteForm(
                initial={"role": Role.AGENT.value, "language": translation.get_language()}
            ),
            "may_manage": may(actor, Duty.STAFF),
            "me": actor.user_id,
        },
        status=status,
    )


@login_required
def staff(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    if request.method != "POST":
        return _staff_page(request, actor)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, INVALID)
        return _staff_page(request, actor, form=form, status=422)
    try:
        actions.invite_member(
            actor.organisation_id,  # type: ignore[arg-type]
            actor=actor,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            language=form.cleaned_data["language"],
        )
    except InvalidSettings as error:
        for field, texts in error.fields.items():
            for text in texts:
                form.add_error(field if field in form.fields else None, text)
        messages.error(request, INVALID)
        return _staff_page(request, actor, form=form, status=error.status)
    except DomainError as error:
        form.add_error("email" if error.code == "already_member" else None, error.text)
        messages.error(request, error.text)
        return _staff_page(request, actor, form=form, status=error.status)
    messages.success(
        request,
        _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]},
    )
    return redirect("backoffice:staff")


@login_required
@require_POST
def member(request: HttpRequest, membership_id: int, verb: str) -> HttpResponse:
    actor = staff_actor(request)
    try:
        access_membership(actor, membership_id)
    except NotFound:
        raise Http404() from None
    try:
        if verb == "role":
            form = RoleForm(request.POST, prefix=f"m{membership_id}")
            if not form.is_valid():
                messages.error(request, INVALID)
                return _staff_page(request, actor, status=422)
            actions.change_role(membership_id, actor=actor, role=form.cleaned_data["role"])
        elif verb == "remove":
            actions.remove_member(membership_id, actor=actor)
        else:
            raise Http404()
    except DomainError as error:
        messages.error(request, error.text)
        return _staff_page(request, actor, status=error.status)
    messages.success(request, SAVED)
    return redirect("backoffice:staff")


# Signing in.


def client_address(request: HttpRequest) -> str:
    """The client's address as the app server sees it. Behind a reverse proxy, the proxy
    must set REMOTE_ADDR (e.g. gunicorn's --forwarded-allow-ips); a client-supplied
    X-Forwarded-For is never trusted here, or anyone could pick a fresh address per try."""
    return str(request.META.get("REMOTE_ADDR", ""))


class LimitedAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing a username and address with too many recent failures
    (`accounts.access.login_refusal`) before it even checks the password."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Your username and password didn't match. Please try again."),
        "too_many": _(
            "Too many failed attempts. Try again in %(minutes)s minutes, or reset your password."
        ),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request) if self.request else ""
        now = timezone.now()
        wait = login_refusal(username, address, now=now)
        if wait is not None:
            raise forms.ValidationError(
                self.error_messages["too_many"],
                code="too_many",
                params={"minutes": max(1, -(-int(wait.total_seconds()) // 60))},
            )
        try:
            data = super().clean()
        except forms.ValidationError:
            if username:
                note_login_failure(username, address, now=now)
            raise
        clear_login_failures(username, address)
        return data


class LoginView(auth_views.LoginView):
    template_name = "backoffice/login.html"
    authentication_form = LimitedAuthenticationForm


class ForgotForm(forms.Form):
    email = forms.EmailField(max_length=254, label=_("Email"))


def forgot_password(request: HttpRequest) -> HttpResponse:
    form = ForgotForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            actions.send_password_reset(
                form.cleaned_data["email"], language=translation.get_language() or "en"
            )
            # The same answer whether or not the address has an account.
            return render(request, "backoffice/staff/forgot_sent.html")
        return render(request, "backoffice/staff/forgot.html", {"form": form}, status=422)
    return render(request, "backoffice/staff/forgot.html", {"form": form})


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """From an invitation or a reset email: Django's token check, our page."""

    template_name = "backoffice/staff/set_password.html"
    success_url = reverse_lazy("backoffice:login")
    post_reset_login = False

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is set. You can sign in now."))
        return response
