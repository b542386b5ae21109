"""Staff pages for who may buy and who may reserve (seed 001, docs/sales.md):

- `/staff/audiences/`: the audiences (the public first) and the channel × audience matrix,
  "may reserve" per channel, saved whole; add an audience.
- `/staff/audiences/<id>/`: rename or delete one.
- `/staff/sales-profiles/`: the profiles, add one.
- `/staff/sales-profiles/<id>/`: edit it, its items (every product, an event, a ticket type;
  for sale and/or reservable), delete it, and "what does a customer see" for a channel, an
  audience and an instant, with the profile that decided each line.

Views parse, call the actions (rights are checked there: owners and managers change, every
staff member reads), show a refusal next to its field or at the top with its status.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from tentative.accounts import actions as accounts
from tentative.accounts.access import access_audience, audiences_of, visible_customers
from tentative.accounts.models import Audience
from tentative.backoffice.access import staff_actor
from tentative.bookings.models import Channel
from tentative.catalog import actions as catalog
from tentative.catalog.access import (
    access_profile,
    may_manage_catalogue,
    visible_events,
    visible_profiles,
)
from tentative.catalog.errors import InvalidTerms
from tentative.catalog.models import SalesProfile, TicketType
from tentative.catalog.selectors import sale_modes, sale_rules
from tentative.shared.actor import Actor
from tentative.shared.errors import DomainError, NotFound

SAVED = _("Saved.")
INVALID = _("Please correct the form.")
MODE_LABELS = {
    "buy": pgettext_lazy("public button", "Buy"),
    "reserve": pgettext_lazy("public button", "Reserve"),
    "request": pgettext_lazy("public button", "Request"),
}
CHANNELS = [(c.value, c.label) for c in Channel]


def _fail(request: HttpRequest, form: forms.Form, error: DomainError) -> int:
    """A refusal next to its field when it names one, else at the top of the page."""
    if isinstance(error, InvalidTerms):
        for name, problems in error.fields.items():
            form.add_error(name if name in form.fields else None, problems)
    elif error.params.get("field") in form.fields:
        form.add_error(error.params["field"], error.text)
    else:
        messages.error(request, error.text)
    return error.status


def _profile(actor: Actor, profile_id: int) -> SalesProfile:
    try:
        return access_profile(actor, profile_id)
    except NotFound:
        raise Http404() from None


def _audience(actor: Actor, audience_id: int) -> Audience:
    try:
        return access_audience(actor, audience_id)
    except NotFound:
        raise Http404() from None


def _public_row(actor: Actor) -> tuple[int | None, str, list[str]]:
    public = audiences_of(actor).filter(is_public=True).first()
    if public is None:
        return None, str(_("Public")), [c for c, _label in CHANNELS]
    return public.id, public.name, list(public.reserve_channels)


# -- audiences ------------------------------------------------------------------------------


class AudienceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)


@login_required
def audiences(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    form = AudienceForm(request.POST if "add" in request.POST else None)
    status = 200
    if request.method == "POST" and "matrix" in request.POST:
        matrix: dict[int | None, list[str]] = {None: request.POST.getlist("reserve-public")}
        for audience in audiences_of(actor).filter(is_public=False):
            matrix[audience.id] = request.POST.getlist(f"reserve-{audience.id}")
        try:
            accounts.set_reserve_channels(actor.organisation_id, matrix, actor=actor)  # type: ignore[arg-type]
        except DomainError as error:
            messages.error(request, error.text)
            status = error.status
        else:
            messages.success(request, SAVED)
            return redirect("backoffice:audiences")
    elif request.method == "POST":
        if form.is_valid():
            try:
                accounts.create_audience(
                    actor.organisation_id,  # type: ignore[arg-type]
                    actor=actor,
                    name=form.cleaned_data["name"],
                )
            except DomainError as error:
                status = _fail(request, form, error)
            else:
                messages.success(request, SAVED)
                return redirect("backoffice:audiences")
        else:
            status = 422
    public_id, public_name, public_channels = _public_row(actor)
    rows = [("public", public_id, public_name, public_channels, 0)]
    counts = {a.id: a.customers.count() for a in audiences_of(actor)}
    rows += [
        (str(a.id), a.id, a.name, list(a.reserve_channels), counts.get(a.id, 0))
        for a in audiences_of(actor).filter(is_public=False).order_by("name", "id")
    ]
    return render(
        request,
        "backoffice/sales/audiences.html",
        {
            "rows": rows,
            "channels": CHANNELS,
            "form": form,
            "may_manage": may_manage_catalogue(actor),
        },
        status=status,
    )


@login_required
def audience(request: HttpRequest, audience_id: int) -> HttpResponse:
    actor = staff_actor(request)
    found = _audience(actor, audience_id)
    form = AudienceForm(request.POST or None, initial={"name": found.name})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                accounts.rename_audience(found.id, actor=actor, name=form.cleaned_data["name"])
            except DomainError as error:
                status = _fail(request, form, error)
            else:
                messages.success(request, SAVED)
                return redirect("backoffice:audiences")
        else:
            status = 422
    return render(
        request,
        "backoffice/sales/audience.html",
        {
            "audience": found,
            "form": form,
            "customers": found.customers.count(),
            "members": found.customers.order_by("name", "id")[:MEMBERS_SHOWN],
            "member_form": MemberForm(actor=actor, audience=found),
            "may_manage": may_manage_catalogue(actor),
        },
        status=status,
    )


MEMBERS_SHOWN = 200


class MemberForm(forms.Form):
    customer = forms.TypedChoiceField(label=_("Customer"), coerce=int)

    def __init__(self, *args: Any, actor: Actor, audience: Audience, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        others = (visible_customers(actor).exclude(audience=audience).order_by("name", "id"))[
            :MEMBERS_SHOWN
        ]
        self.fields["customer"].choices = [  # type: ignore[attr-defined]
            (c.id, f"{c.name} <{c.email}>" if c.email else c.name) for c in others
        ]


@login_required
@require_POST
def audience_member(request: HttpRequest, audience_id: int) -> HttpResponse:
    """Put a customer in the audience, or (`remove`) back to the public."""
    actor = staff_actor(request)
    found = _audience(actor, audience_id)
    try:
        if "remove" in request.POST:
            accounts.set_customer_audience(int(request.POST["remove"]), None, actor=actor)
        else:
            form = MemberForm(request.POST, actor=actor, audience=found)
            if not form.is_valid():
                messages.error(request, INVALID)
                return redirect("backoffice:audience", audience_id=found.id)
            accounts.set_customer_audience(form.cleaned_data["customer"], found.id, actor=actor)
    except (DomainError, ValueError) as error:
        messages.error(request, error.text if isinstance(error, DomainError) else INVALID)
    else:
        messages.success(request, SAVED)
    return redirect("backoffice:audience", audience_id=found.id)


@login_required
@require_POST
def audience_delete(request: HttpRequest, audience_id: int) -> HttpResponse:
    actor = staff_actor(request)
    try:
        accounts.delete_audience(audience_id, actor=actor)
    except DomainError as error:
        messages.error(request, error.text)
        return redirect("backoffice:audience", audience_id=audience_id)
    messages.success(request, _("Audience deleted."))
    return redirect("backoffice:audiences")


# -- sales profiles -------------------------------------------------------------------------


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=CHANNELS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every channel."),
    )
    audiences = forms.TypedMultipleChoiceField(
        label=_("Audiences"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every audience."),
    )
    starts_at = forms.DateTimeField(
        label=_("On sale from"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("When customers book, not when the event takes place. Empty: always."),
    )
    ends_at = forms.DateTimeField(
        label=_("Until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: no end."),
    )
    priority = forms.IntegerField(
        label=_("Priority"),
        initial=0,
        min_value=-1000,
        max_value=1000,
        help_text=_(
            "Decides between two profiles naming the same product as precisely, for periods "
            "as long: the higher wins."
        ),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["audiences"].choices = [  # type: ignore[attr-defined]
            (a.id, a.name) for a in audiences_of(actor)
        ]

    def data_for_action(self) -> catalog.ProfileData:
        d = self.cleaned_data
        return catalog.ProfileData(
            name=d["name"],
            channels=tuple(d["channels"]),
            audience_ids=tuple(d["audiences"]),
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            priority=d["priority"] or 0,
        )


@login_required
def profiles(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    form = ProfileForm(request.POST or None, actor=actor)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = catalog.create_sales_profile(
                    actor.organisation_id,  # type: ignore[arg-type]
                    form.data_for_action(),
                    actor=actor,
                )
            except DomainError as error:
                status = _fail(request, form, error)
            else:
                messages.success(request, SAVED)
                return redirect("backoffice:sales_profile", profile_id=created.id)
        else:
            status = 422
    rows = visible_profiles(actor).prefetch_related("items", "audiences")
    return render(
        request,
        "backoffice/sales/profiles.html",
        {
            "profiles": [(p, _channel_names(p), [a.name for a in p.audiences.all()]) for p in rows],
            "form": form,
            "may_manage": may_manage_catalogue(actor),
        },
        status=status,
    )


def _channel_names(profile: SalesProfile) -> list[str]:
    names = dict(CHANNELS)
    return [str(names[c]) for c in profile.channels if c in names]


class ItemForm(forms.Form):
    product = forms.ChoiceField(label=_("Product"))
    for_sale = forms.BooleanField(label=_("For sale"), required=False, initial=True)
    reservable = forms.BooleanField(label=_("Reservable"), required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = [("all", _("Every product"))]
        for event in visible_events(actor).prefetch_related("ticket_types").order_by("name"):
            choices.append((f"event-{event.id}", event.name))
            choices += [
                (f"type-{t.id}", f"{event.name} · {t.name}")
                for t in event.ticket_types.all().order_by("id")
            ]
        self.fields["product"].choices = choices  # type: ignore[attr-defined]

    def target(self) -> dict[str, int | None]:
        kind, _dash, ident = self.cleaned_data["product"].partition("-")
        return {
            "event_id": int(ident) if kind == "event" else None,
            "ticket_type_id": int(ident) if kind == "type" else None,
        }


class PreviewForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=CHANNELS, initial="web")
    audience = forms.TypedChoiceField(label=_("Audience"), coerce=int, required=False)
    at = forms.DateTimeField(
        label=_("Booking on"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["audience"].choices = [  # type: ignore[attr-defined]
            ("", _("The public")),
            *[(a.id, a.name) for a in audiences_of(actor).filter(is_public=False)],
        ]


@login_required
def profile(request: HttpRequest, profile_id: int) -> HttpResponse:
    actor = staff_actor(request)
    found = _profile(actor, profile_id)
    initial = {
        "name": found.name,
        "channels": found.channels,
        "audiences": [a.id for a in found.audiences.all()],
        "starts_at": timezone.localtime(found.starts_at) if found.starts_at else None,
        "ends_at": timezone.localtime(found.ends_at) if found.ends_at else None,
        "priority": found.priority,
    }
    form = ProfileForm(
        request.POST if "save" in request.POST else None, actor=actor, initial=initial
    )
    item_form = ItemForm(request.POST if "add_item" in request.POST else None, actor=actor)
    status = 200
    if request.method == "POST" and "save" in request.POST:
        if form.is_valid():
            try:
                catalog.update_sales_profile(found.id, form.data_for_action(), actor=actor)
            except DomainError as error:
                status = _fail(request, form, error)
            else:
                messages.success(request, SAVED)
                return redirect("backoffice:sales_profile", profile_id=found.id)
        else:
            status = 422
    elif request.method == "POST" and "add_item" in request.POST:
        if item_form.is_valid():
            try:
                catalog.set_profile_item(
                    found.id,
                    actor=actor,
                    for_sale=item_form.cleaned_data["for_sale"],
                    reservable=item_form.cleaned_data["reservable"],
                    **item_form.target(),
                )
            except DomainError as error:
                status = _fail(request, item_form, error)
            else:
                messages.success(request, SAVED)
                return redirect("backoffice:sales_profile", profile_id=found.id)
        else:
            status = 422
    preview = PreviewForm(request.GET or None, actor=actor)
    return render(
        request,
        "backoffice/sales/profile.html",
        {
            "profile": found,
            "form": form,
            "item_form": item_form,
            "items": found.items.select_related("event", "ticket_type__event"),
            "preview_form": preview,
            "preview": _preview(actor, preview),
            "may_manage": may_manage_catalogue(actor),
        },
        status=status,
    )


def _preview(actor: Actor, form: PreviewForm) -> list[dict[str, Any]]:
    """What a customer sees: each ticket type's buttons, and the profile that decided."""
    valid = form.is_valid() if form.is_bound else False
    data = form.cleaned_data if valid else {}
    channel = data.get("channel") or "web"
    audience_id = data.get("audience") or None
    at = data.get("at") or timezone.now()
    rules = sale_rules(actor.organisation_id)  # type: ignore[arg-type]
    names = dict(visible_profiles(actor).values_list("id", "name"))
    rows = []
    types = TicketType.objects.filter(event__in=visible_events(actor)).select_related("event")
    for ticket_type in types.order_by("event__name", "id"):
        modes = sale_modes(
            ticket_type, channel=channel, audience_id=audience_id, at=at, rules=rules
        )
        rows.append(
            {
                "event": ticket_type.event.name,
                "ticket_type": ticket_type.name,
                "modes": [MODE_LABELS[m] for m in modes.modes],
                "source": names.get(modes.profile_id) if modes.profile_id else None,
            }
        )
    return rows


@login_required
@require_POST
def profile_item_remove(request: HttpRequest, profile_id: int, item_id: int) -> HttpResponse:
    actor = staff_actor(request)
    try:
        catalog.remove_profile_item(profile_id, item_id, actor=actor)
    except DomainError as error:
        messages.error(request, error.text)
    else:
        messages.success(request, SAVED)
    return redirect("backoffice:sales_profile", profile_id=profile_id)


@login_required
@require_POST
def profile_delete(request: HttpRequest, profile_id: int) -> HttpResponse:
    actor = staff_actor(request)
    try:
        catalog.delete_sales_profile(profile_id, actor=actor)
    except DomainError as error:
        messages.error(request, error.text)
        return redirect("backoffice:sales_profile", profile_id=profile_id)
    messages.success(request, _("Sales profile deleted."))
    return redirect("backoffice:sales_profiles")


# -- the widget -----------------------------------------------------------------------------


class WidgetForm(forms.Form):
    sites = forms.CharField(
        label=_("Sites allowed to show the booking window"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One address per line, such as https://www.example.org. Elsewhere the button "
            "opens the booking pages in a new tab."
        ),
    )


@login_required
def widget(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    organisation = request.staff_organisation  # type: ignore[attr-defined]
    form = WidgetForm(request.POST or None, initial={"sites": "\n".join(organisation.widget_sites)})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            accounts.set_widget_sites(
                organisation.id, form.cleaned_data["sites"].splitlines(), actor=actor
            )
        except DomainError as error:
            status = _fail(request, form, error)
        else:
            messages.success(request, SAVED)
            return redirect("backoffice:widget")
    events = visible_events(actor).order_by("name")
    script = request.build_absolute_uri(reverse("public:widget_js", args=[organisation.slug]))
    return render(
        request,
        "backoffice/sales/widget.html",
        {
            "form": form,
            "snippets": [
                (e, f'<script src="{script}" data-event="{e.id}" async></script>') for e in events
            ],
        },
        status=status,
    )
