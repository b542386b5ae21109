"""The waiting list's public pages (issue 12 item 5), under the organisation's public URLs:

- `/o/<slug>/dates/<id>/waiting-list/` — join the list of a full date: name, email, how
  many places, whether part would do (and which ticket type, when the event has several);
- `/o/<slug>/waiting-list/<token>/` — the visitor's own page, from the link they are shown
  and emailed: "You are number 3 on the waiting list" and *Leave the list*; once places are
  offered, the places, the deadline, *Accept* (then pay with the payments part's link page)
  or *Decline*.

Whoever holds the link acts on the entry (the token is unguessable, like a payment link).
Thin: parse, call the waitlist's actions, render; refusals are shown in the visitor's
language with what to do next, never as a 500.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from tentative.bookings.models import LINE_WORDS
from tentative.catalog.models import EventDate
from tentative.core.money import Money
from tentative.payments.actions import create_payment_request
from tentative.payments.selectors import balance
from tentative.shared.actor import Actor, ActorKind
from tentative.shared.errors import DomainError, InvalidInput, NotFound
from tentative.waitlist import actions, selectors
from tentative.waitlist.access import entry_by_token
from tentative.waitlist.errors import AlreadyWaiting, PlacesAvailable
from tentative.waitlist.models import WaitlistEntry

ANY = ""


class JoinForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("We write to you here when places are offered to you."),
    )
    ticket_type = forms.ChoiceField(label=_("Ticket type"), required=False)
    quantity = forms.IntegerField()  # bounded in __init__ by the organisation's cap
    accepts_partial = forms.BooleanField(
        label=_("I would also take fewer places than I ask for"), required=False
    )

    def __init__(self, *args: Any, date: EventDate, most: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = selectors.ticket_types_of(date)
        self.fields["quantity"] = forms.IntegerField(
            label=_("Number of places"), min_value=1, max_value=most, initial=1
        )
        if len(types) > 1:
            self.fields["ticket_type"].choices = [
                (ANY, _("Any ticket type")),
                *((str(t.id), t.name) for t in types),
            ]
        else:
            del self.fields["ticket_type"]
        self.types = {str(t.id): t.id for t in types}

    def ticket_type_id(self) -> int | None:
        return self.types.get(self.cleaned_data.get("ticket_type") or ANY)


def _date(org_slug: str, date_id: int) -> EventDate:
    try:
        date = selectors.public_date(org_slug, date_id)
    except NotFound:
        raise Http404() from None
    timezone.activate(date.event.organisation.zone)
    return date


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, org_slug: str, date_id: int) -> HttpResponse:
    date = _date(org_slug, date_id)
    organisation = date.event.organisation
    most = organisation.public_max_places_per_order
    initial = {"ticket_type": request.GET.get("type", ANY)}
    form = JoinForm(request.POST or None, date=date, most=most, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            visitor = Actor(
                kind=ActorKind.CUSTOMER,
                organisation_id=organisation.id,
                label=data["email"],
                via="public",
            )
            try:
                entry = actions.join_waitlist(
                    actor=visitor,
                    organisation_id=organisation.id,
                    event_date_id=date.id,
                    ticket_type_id=form.ticket_type_id(),
                    name=data["name"],
                    email=data["email"],
                    quantity=data["quantity"],
                    accepts_partial=data["accepts_partial"],
                    language=translation.get_language() or "",
                )
            except AlreadyWaiting as refusal:
                form.add_error("email", refusal.text)
            except InvalidInput as refusal:
                form.add_error(None, refusal.text)
            except PlacesAvailable as refusal:
                form.add_error("quantity", refusal.text)
            except DomainError as refusal:
                form.add_error(None, refusal.text)
            else:
                return redirect("public:waitlist_entry", org_slug=org_slug, token=entry.token)
    context = {
        "organisation": organisation,
        "date": date,
        "form": form,
        "waiting": selectors.waiting_count(date.id),
    }
    return render(request, "public/waitlist_join.html", context, status=status)


def _entry(token: str) -> WaitlistEntry:
    try:
        entry = entry_by_token(token)
    except NotFound:
        raise Http404() from None
    timezone.activate(entry.organisation.zone)
    return entry


@require_http_methods(["GET", "POST"])
def entry(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    found = _entry(token)
    if found.organisation.slug != org_slug:
        raise Http404()
    error, status = "", 200
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step == "leave":
                actions.leave_waitlist(token)
            elif step == "decline":
                actions.decline_offer(token)
            elif step in ("accept", "pay"):
                accepted = actions.accept_offer(token)
                link = _payment_link(accepted)
                if link:
                    return redirect("public:pay", token=link)
            else:
                raise InvalidInput()
        except DomainError as refusal:
            error, status = refusal.text, refusal.status
        else:
            return redirect("public:waitlist_entry", org_slug=org_slug, token=token)
    return _page(request, _entry(token), error=error, status=status)


def _payment_link(entry: WaitlistEntry) -> str:
    """The payments part's link for what is due on the offer (its pay page takes the card
    through the simulated processor, and confirms the option once paid); "" when nothing
    is due (a free offer is confirmed by `accept_offer`). *Pay now* clicked again reuses
    the open link instead of adding one."""
    booking = entry.offer
    if booking is None or booking.state != "option":
        return ""
    if balance(booking).outstanding.amount <= 0:
        return ""
    link = create_payment_request(
        booking.id,
        actor=Actor.system("waiting list"),
        expires_at=booking.deadline_enforced,
        reuse_open=True,
    )
    return link.token


def _page(request: HttpRequest, entry: WaitlistEntry, *, error: str, status: int) -> HttpResponse:
    booking = entry.offer
    context: dict[str, Any] = {
        "organisation": entry.organisation,
        "entry": entry,
        "date": entry.event_date,
        "position": selectors.position(entry),
        "booking": booking,
        "lines": booking.lines.select_related(*LINE_WORDS).order_by("id") if booking else [],
        "total": Money(booking.total, booking.currency).amount if booking else None,
        "due": balance(booking).outstanding.amount if booking else 0,
        "error": error,
    }
    return render(request, "public/waitlist_entry.html", context, status=status)
