"""Staff pages of the notifications: dashboard counters, sent mail, webhook endpoints and
their delivery log, email templates. Everything is scoped to the signed-in staff member's
organisation; changing endpoints and templates, and re-sending, is for owners and managers."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tentative.backoffice.access import staff_actor
from tentative.core.permissions import Role
from tentative.notifications import egress, emails
from tentative.notifications.actions import resend
from tentative.notifications.models import (
    CaughtMail,
    EmailTemplate,
    NotificationSettings,
    WebhookEndpoint,
)
from tentative.notifications.selectors import dashboard_counts
from tentative.outbox import topics
from tentative.outbox.models import OutboxMessage
from tentative.shared.actor import Actor


def _manager(actor: Actor) -> None:
    if actor.role not in (Role.OWNER, Role.MANAGER):
        raise PermissionDenied


def _outbox(actor: Actor, kind: str) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(organisation_id=actor.organisation_id, kind=kind)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    return render(
        request,
        "backoffice/notifications/dashboard.html",
        {
            "counts": dashboard_counts(actor.organisation_id, now=timezone.now()),
            "failing": _outbox(actor, OutboxMessage.Kind.EMAIL)
            .exclude(status=OutboxMessage.Status.SENT)
            .exclude(last_error="")
            .count()
            + _outbox(actor, OutboxMessage.Kind.WEBHOOK)
            .exclude(status=OutboxMessage.Status.SENT)
            .exclude(last_error="")
            .count(),
        },
    )


@login_required
def mail_list(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    rows = (
        _outbox(actor, OutboxMessage.Kind.EMAIL)
        .select_related("booking")
        .order_by("-created_at", "-id")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "backoffice/notifications/mail_list.html", {"page": page})


@login_required
def mail_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    actor = staff_actor(request)
    message = get_object_or_404(_outbox(actor, OutboxMessage.Kind.EMAIL), id=message_id)
    caught = CaughtMail.objects.filter(message_id__contains=str(message.message_id)).first()
    # The QR images travel as cid: parts; the preview shows them inline.
    preview = message.payload.get("html", "")
    for part in message.payload.get("inline", []):
        preview = preview.replace(
            f"cid:{part['cid']}", f"data:{part['mimetype']};base64,{part['content']}"
        )
    return render(
        request,
        "backoffice/notifications/mail_detail.html",
        {"message": message, "tries": message.tries.all(), "caught": caught, "preview": preview},
    )


@login_required
def mail_raw(request: HttpRequest, message_id: int) -> HttpResponse:
    """The caught message as an .eml file, exactly as it would have gone out."""
    actor = staff_actor(request)
    message = get_object_or_404(_outbox(actor, OutboxMessage.Kind.EMAIL), id=message_id)
    caught = CaughtMail.objects.filter(message_id__contains=str(message.message_id)).first()
    if caught is None:
        raise Http404
    response = HttpResponse(caught.raw, content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="{message.message_id}.eml"'
    return response


@login_required
@require_POST
def resend_message(request: HttpRequest, message_id: int) -> HttpResponse:
    actor = staff_actor(request)
    _manager(actor)
    message = get_object_or_404(
        OutboxMessage.objects.filter(
            organisation_id=actor.organisation_id,
            kind__in=[OutboxMessage.Kind.EMAIL, OutboxMessage.Kind.WEBHOOK],
        ),
        id=message_id,
    )
    if resend(message.id, now=timezone.now()):
        messages.success(request, _("Queued to be sent again."))
    else:
        messages.info(request, _("It is already waiting to be sent."))
    if message.kind == OutboxMessage.Kind.WEBHOOK:
        return redirect("notifications:delivery", message_id=message.id)
    return redirect("notifications:mail_detail", message_id=message.id)


class EndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("Address (URL)"), max_length=500, assume_scheme="https")
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        choices=[(t, t) for t in topics.FOR_WEBHOOKS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every topic."),
    )
    active = forms.BooleanField(label=_("Active"), required=False)

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "topics", "active"]

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        if not url.startswith(("https://", "http://")):
            raise forms.ValidationError(_("Use an http:// or https:// address."))
        if private := egress.private_addresses(url):
            raise forms.ValidationError(
                _("%(address)s is a private address: webhooks go to public addresses only."),
                params={"address": private[0]},
            )
        return url


@login_required
def webhooks(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    endpoints = WebhookEndpoint.objects.filter(organisation_id=actor.organisation_id)
    form = EndpointForm(request.POST or None)
    if request.method == "POST":
        _manager(actor)
        if form.is_valid():
            endpoint = form.save(commit=False)
            endpoint.organisation_id = actor.organisation_id
            endpoint.save()
            return redirect("notifications:endpoint", endpoint_id=endpoint.id)
    return render(
        request,
        "backoffice/notifications/webhooks.html",
        {"endpoints": endpoints.order_by("id"), "form": form},
    )


@login_required
def endpoint(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    actor = staff_actor(request)
    found = get_object_or_404(
        WebhookEndpoint.objects.filter(organisation_id=actor.organisation_id), id=endpoint_id
    )
    form = EndpointForm(request.POST or None, instance=found)
    if request.method == "POST":
        _manager(actor)
        if form.is_valid():
            form.save()
            messages.success(request, _("Saved."))
            return redirect("notifications:endpoint", endpoint_id=found.id)
    deliveries = found.deliveries.select_related("booking").order_by("-created_at", "-id")
    page = Paginator(deliveries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/notifications/endpoint.html",
        {"endpoint": found, "form": form, "page": page, "may_manage": _may_manage(actor)},
    )


@login_required
def delivery(request: HttpRequest, message_id: int) -> HttpResponse:
    actor = staff_actor(request)
    message = get_object_or_404(
        _outbox(actor, OutboxMessage.Kind.WEBHOOK).select_related("endpoint"), id=message_id
    )
    return render(
        request,
        "backoffice/notifications/delivery.html",
        {"message": message, "tries": message.tries.all(), "may_manage": _may_manage(actor)},
    )


class TemplateForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 18, "cols": 90}))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        for field in ("subject", "body"):
            if field in data:
                try:
                    emails.compile_text(str(data[field]))
                except emails.TemplateRejected as error:
                    self.add_error(field, str(error))
        return data


@login_required
def templates(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    own = set(
        EmailTemplate.objects.filter(organisation_id=actor.organisation_id).values_list(
            "name", "language"
        )
    )
    rows = [
        {
            "name": name,
            "label": label,
            "languages": [(lang, (name, lang) in own) for lang in emails.LANGUAGES],
        }
        for name, label in emails.ALL_EMAILS.items()
    ]
    return render(request, "backoffice/notifications/templates.html", {"rows": rows})


@login_required
def template_edit(request: HttpRequest, name: str, language: str) -> HttpResponse:
    actor = staff_actor(request)
    if name not in emails.ALL_EMAILS or language not in emails.LANGUAGES:
        raise Http404
    own = EmailTemplate.objects.filter(
        organisation_id=actor.organisation_id, name=name, language=language
    ).first()
    subject, body = emails.default_source(name, language)
    initial = (
        {"subject": own.subject, "body": own.body} if own else {"subject": subject, "body": body}
    )
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST":
        _manager(actor)
        if "reset" in request.POST:
            EmailTemplate.objects.filter(
                organisation_id=actor.organisation_id, name=name, language=language
            ).delete()
            messages.success(request, _("Back to the default text."))
            return redirect("notifications:template", name=name, language=language)
        if form.is_valid():
            EmailTemplate.objects.update_or_create(
                organisation_id=actor.organisation_id,
                name=name,
                language=language,
                defaults={
                    "subject": form.cleaned_data["subject"],
                    "body": form.cleaned_data["body"],
                },
            )
            messages.success(request, _("Saved."))
            return redirect("notifications:template", name=name, language=language)
    return render(
        request,
        "backoffice/notifications/template_edit.html",
        {
            "form": form,
            "name": name,
            "label": emails.ALL_EMAILS[name],
            "language": language,
            "customised": own is not None,
            "may_manage": _may_manage(actor),
        },
    )


_UNITS = {"d": 86400, "h": 3600, "m": 60}


def parse_schedule(text: str) -> list[int]:
    """ "7d, 2d, 6h" -> seconds before the deadline, largest first."""
    seconds = set()
    for item in text.replace(",", " ").split():
        number, unit = item[:-1], item[-1:].lower()
        if unit not in _UNITS or not number.isdigit() or not 0 < int(number) <= 365 * 24:
            raise forms.ValidationError(_("Write each reminder as a number and d, h or m."))
        seconds.add(int(number) * _UNITS[unit])
    if len(seconds) > 10:
        raise forms.ValidationError(_("At most ten reminders."))
    return sorted(seconds, reverse=True)


def format_schedule(seconds: list[int]) -> str:
    parts = []
    for value in seconds:
        unit = next(u for u, size in _UNITS.items() if value % size == 0)
        parts.append(f"{value // _UNITS[unit]}{unit}")
    return ", ".join(parts)


class SettingsForm(forms.Form):
    reminders = forms.CharField(
        label=_("Reminders to the customer"),
        required=False,
        help_text=_("Before each option's deadline, e.g. 7d, 2d, 6h. Empty: no reminders."),
    )
    staff_warning_hours = forms.IntegerField(
        label=_("Warn staff this many hours before an option's deadline"),
        min_value=0,
        max_value=24 * 30,
    )
    staff_addresses = forms.CharField(
        label=_("Staff email addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Extra addresses for staff emails, one per line."),
    )

    def clean_reminders(self) -> list[int]:
        return parse_schedule(self.cleaned_data["reminders"])

    def clean_staff_addresses(self) -> str:
        addresses = self.cleaned_data["staff_addresses"].split()
        for address in addresses:
            forms.EmailField().clean(address)
        return "\n".join(addresses)


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    own, _created = NotificationSettings.objects.get_or_create(
        organisation_id=actor.organisation_id
    )
    initial = {
        "reminders": format_schedule(own.reminder_schedule),
        "staff_warning_hours": int(own.staff_warning.total_seconds() // 3600),
        "staff_addresses": own.staff_addresses,
    }
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST":
        _manager(actor)
        if form.is_valid():
            own.reminder_schedule = form.cleaned_data["reminders"]
            own.staff_warning = timedelta(hours=form.cleaned_data["staff_warning_hours"])
            own.staff_addresses = form.cleaned_data["staff_addresses"]
            own.save()
            messages.success(request, _("Saved."))
            return redirect("notifications:settings")
    return render(
        request,
        "backoffice/notifications/settings.html",
        {"form": form, "may_manage": _may_manage(actor)},
    )


def _may_manage(actor: Actor) -> bool:
    return actor.role in (Role.OWNER, Role.MANAGER)
