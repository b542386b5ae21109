"""The box office: `/staff/box-office/`. Sell (confirmed), reserve (an option) or quote at
the desk, for a customer picked from the file or created on the spot, from general sale or
from a reserve the staff member may draw from (seed 002), with each attendee's name; then
straight to the booking's payments page to take the money (a quote: to the booking).

The view parses the form and calls the actions (`accounts.actions.create_customer`,
`bookings.actions.create_booking`), which check rights and capacity; a refusal comes back
next to the field it concerns with everything typed kept. A customer created on the spot
is kept even when the booking is then refused (they stood at the desk): the form comes
back with them selected, so trying again does not create them twice.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from tentative.accounts import actions as customer_actions
from tentative.accounts.access import visible_customers
from tentative.accounts.errors import InvalidCustomer
from tentative.accounts.selectors import MAX_QUERY, search_customers
from tentative.backoffice.access import staff_actor
from tentative.backoffice.links import booking_url
from tentative.bookings import actions as booking_actions
from tentative.bookings.actions import MAX_QUANTITY
from tentative.bookings.models import Channel
from tentative.catalog.models import EventDate, TicketType
from tentative.core.states import State
from tentative.inventory.access import may_draw, visible_reserves
from tentative.shared.actor import Actor
from tentative.shared.errors import DomainError

DONE = _("Booking %(reference)s created: take the payment below.")
QUOTED = _("Quote %(reference)s created.")
CUSTOMER_NEEDED = _("Pick a customer or give the new customer's name.")
TOO_MANY_NAMES = _("More names than places: %(names)s names for %(places)s places.")
NAME_TOO_LONG = _("A name has at most 200 characters.")
GENERAL = "general"
CUSTOMER_CHOICES = 500
OFFER_LIMIT = 300
# Which field a booking's refusal is shown next to, by its code; others above the form.
FIELD_OF = {
    "sold_out": "quantity",
    "not_enough_free": "quantity",
    "reserve_empty": "quantity",
    "invalid": "quantity",
    "not_reservable": "mode",
    "deadline_unreachable": "mode",
    "reserve_without_access": "source",
    "reserve_no_access": "source",
    "reserve_staff_only": "source",
    "reserve_archived": "source",
    "not_found": "offer",
}
MODES = [
    (State.CONFIRMED.value, _("Sell (confirmed)")),
    (State.OPTION.value, _("Reserve (option)")),
    (State.QUOTE.value, _("Quote")),
]


class SaleForm(forms.Form):
    customer = forms.TypedChoiceField(
        label=_("Customer"), coerce=int, required=False, empty_value=None
    )
    new_name = forms.CharField(label=_("New customer's name"), max_length=200, required=False)
    new_email = forms.EmailField(label=_("New customer's email"), required=False, max_length=254)
    new_phone = forms.CharField(label=_("New customer's phone"), required=False, max_length=40)
    offer = forms.ChoiceField(label=_("Date and ticket type"))
    source = forms.ChoiceField(label=_("Places from"))
    quantity = forms.IntegerField(
        label=_("Number of places"), min_value=1, max_value=MAX_QUANTITY, initial=1
    )
    names = forms.CharField(
        label=_("Attendees' names, one per line"),
        required=False,
        max_length=200 * 100,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The first name goes on the first place, and so on; leave blank if unknown."),
    )
    mode = forms.ChoiceField(label=_("What to do"), choices=MODES, widget=forms.RadioSelect)

    def __init__(
        self, *args: Any, actor: Actor, find: str = "", date_id: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        customers = list(search_customers(actor, find)[:CUSTOMER_CHOICES])
        # The one already picked (posted, or passed in the address) is offered whatever the
        # search, so that it validates; another organisation's never is.
        picked = str(self.data.get("customer") or self.initial.get("customer") or "")
        if picked.isdigit() and all(str(c.id) != picked for c in customers):
            customers += list(visible_customers(actor).filter(id=int(picked[:18])))
        self.fields["customer"].choices = [  # type: ignore[attr-defined]
            ("", _("— a new customer (below) —")),
            *((c.id, f"{c.name} · {c.email}" if c.email else c.name) for c in customers),
        ]
        self.fields["offer"].choices = _offers(actor, date_id)  # type: ignore[attr-defined]
        self.fields["source"].choices = [  # type: ignore[attr-defined]
            (GENERAL, _("General sale")),
            *(
                (str(r.id), r.name)
                for r in visible_reserves(actor).filter(archived_at=None).order_by("name")
                if may_draw(actor, r)
            ),
        ]

    def clean_names(self) -> list[str]:
        names = [n.strip() for n in self.cleaned_data["names"].splitlines()]
        if any(len(n) > 200 or "\x00" in n for n in names):
            raise forms.ValidationError(NAME_TOO_LONG)
        while names and not names[-1]:
            names.pop()
        return names

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        picked = data.get("customer") or (data.get("new_name") or "").strip()
        if not picked and "customer" not in self.errors and "new_name" not in self.errors:
            self.add_error("new_name", CUSTOMER_NEEDED)
        names, quantity = data.get("names") or [], data.get("quantity")
        if quantity and len(names) > quantity:
            self.add_error("names", TOO_MANY_NAMES % {"names": len(names), "places": quantity})
        return data

    def ids(self) -> tuple[int, int]:
        date_id, type_id = self.cleaned_data["offer"].split(":")
        return int(date_id), int(type_id)


def _offers(actor: Actor, date_id: int | None = None) -> list[tuple[str, str]]:
    """The next dates' ticket types; with `date_id` (a session of a room that sells places,
    from the planning), that date's only. A room's category removed after it was sold keeps
    its ticket type for the lines, and is not offered."""
    upcoming = EventDate.objects.filter(
        event__organisation_id=actor.organisation_id, starts_at__gt=timezone.now()
    )
    if date_id is not None:
        upcoming = upcoming.filter(id=date_id)
    dates = list(
        upcoming.select_related("event__organisation").order_by("starts_at", "id")[:OFFER_LIMIT]
    )
    currency = dates[0].event.organisation.currency if dates else ""
    types = (
        TicketType.objects.filter(event_id__in={d.event_id for d in dates})
        .exclude(event__room_game__isnull=False, room_price__isnull=True)
        .order_by("name", "id")
    )
    by_event: dict[int, list[TicketType]] = {}
    for t in types:
        by_event.setdefault(t.event_id, []).append(t)
    return [
        (
            f"{d.id}:{t.id}",
            f"{d.event.name} · {_when(d)} · {t.name} ({formats.localize(t.price)} {currency})",
        )
        for d in dates
        for t in by_event.get(d.event_id, [])
    ]


def _when(date: EventDate) -> str:
    return formats.date_format(timezone.localtime(date.starts_at), "SHORT_DATETIME_FORMAT")


@login_required
def box_office(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    initial = {"mode": State.CONFIRMED.value, "source": GENERAL, "quantity": 1}
    if request.GET.get("customer", "").isdigit():
        initial["customer"] = int(request.GET["customer"])
    find = request.GET.get("find", "")[:MAX_QUERY]
    date = request.GET.get("date", "")
    form = SaleForm(
        request.POST or None,
        actor=actor,
        initial=initial,
        find=find,
        date_id=int(date[:18]) if date.isdigit() else None,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            done = _sell(request, actor, form)
            if done is not None:
                return done
        status = getattr(form, "status", 422)
    return render(
        request, "backoffice/box_office.html", {"form": form, "find": find}, status=status
    )


def _sell(request: HttpRequest, actor: Actor, form: SaleForm) -> HttpResponse | None:
    data = form.cleaned_data
    customer_id = data["customer"]
    if customer_id is None:
        try:
            customer = customer_actions.create_customer(
                actor.organisation_id,  # type: ignore[arg-type]
                customer_actions.CustomerData(
                    name=data["new_name"], email=data["new_email"], phone=data["new_phone"]
                ),
                actor=actor,
            )
        except InvalidCustomer as error:
            form.add_error(
                f"new_{error.field}" if error.field in ("name", "email", "phone") else None,
                error.text,
            )
            return _refused(request, form, error.status)
        customer_id = customer.id
        # Kept whatever happens next: the form now names them.
        form.data = form.data.copy()
        form.data.update(
            {"customer": str(customer_id), "new_name": "", "new_email": "", "new_phone": ""}
        )
        form.fields["customer"].choices = [  # type: ignore[attr-defined]
            *form.fields["customer"].choices,  # type: ignore[attr-defined]
            (customer.id, customer.name),
        ]
    date_id, type_id = form.ids()
    names = data["names"]
    source = data["source"]
    try:
        booking = booking_actions.create_booking(
            actor=actor,
            organisation_id=actor.organisation_id,  # type: ignore[arg-type]
            mode=State(data["mode"]),
            lines=[
                booking_actions.LineRequest(
                    event_date_id=date_id,
                    ticket_type_id=type_id,
                    quantity=data["quantity"],
                    participants=tuple((name, "") for name in names),
                    reserve_id=None if source == GENERAL else int(source),
                )
            ],
            customer_id=customer_id,
            channel=Channel.BOX_OFFICE,
        )
    except DomainError as error:
        field = FIELD_OF.get(error.code)
        form.add_error(field, error.text)
        return _refused(request, form, error.status)
    if booking.state == State.QUOTE:
        messages.success(request, QUOTED % {"reference": booking.reference})
        return redirect(booking_url(booking.reference))
    messages.success(request, DONE % {"reference": booking.reference})
    return redirect("backoffice:booking_payments", reference=booking.reference)


def _refused(request: HttpRequest, form: SaleForm, status: int) -> None:
    form.status = status  # type: ignore[attr-defined]
    return None
