"""The planning of room sessions for staff (seed 004): `/staff/planning/`.

- `/staff/planning/?day=2027-03-02` (the day: rooms as rows, session times as columns; on
  a phone, each room's sessions as a list) and `?view=week` (rooms × seven days). Every
  session says what it is in words and by its shape, never by colour alone: *Free* (a dashed
  box, a link to book it), *Firm* (a solid box), *Option* with its deadline (a box with a
  thick left edge), *Request*; quotes do not block, so they are listed on a free session
  ("1 quote") which stays bookable. Past sessions are greyed and not links.
- `/staff/planning/book/?room=<id>&start=<ISO>`: book a free session (the customer, chosen
  or created, players per category, FIRM / QUOTE / OPTION, send the confirmation now).
- `/staff/bookings/<REF>/players/`: change the players per category (the price follows;
  fewer players → the overpayment and a coupon proposed; more → the balance due) and name
  them.
- `/staff/bookings/<REF>/session/move/`: move the booking to another free session (and
  email the change, or not).

Views parse, call the bookings actions (rights are the actions'), render; a refusal comes
back next to its field with the error's HTTP status and what was typed kept.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import time as time_filter
from django.urls import reverse
from django.utils import dateparse, formats, timezone
from django.utils.formats import localize
from django.utils.html import escape, format_html
from django.utils.http import RFC3986_SUBDELIMS, urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from tentative.accounts.actions import CustomerData
from tentative.accounts.models import Customer
from tentative.backoffice.access import staff_actor
from tentative.backoffice.links import booking_url
from tentative.backoffice.vouchers import shown
from tentative.bookings import actions
from tentative.bookings import labels as booking_labels
from tentative.bookings import selectors as booking_selectors
from tentative.bookings.access import access_booking_by_reference
from tentative.bookings.errors import (
    PlayersNamed,
    PlayersOutOfRange,
    PlayersUnchanged,
    SlotTaken,
    UnknownCategory,
)
from tentative.bookings.models import Booking, BookingLine
from tentative.catalog.models import Resource, Service
from tentative.core.money import Money
from tentative.core.states import State
from tentative.payments import selectors as payment_selectors
from tentative.shared.actor import Actor
from tentative.shared.errors import DomainError, NotFound

INVALID = _("Please correct the form.")
MODE_CHOICES = [
    (State.CONFIRMED.value, _("Firm: blocks the session")),
    (State.QUOTE.value, _("Quote: does not block the session")),
    (State.OPTION.value, _("Option: blocks the session until its deadline")),
]
STATUS_WORDS = {
    "free": _("Free"),
    "past": _("Past"),
    State.CONFIRMED.value: _("Firm"),
    State.OPTION.value: _("Option"),
    State.REQUEST.value: _("Request"),
    "full": _("Full"),
    "not_on_sale": _("Not on sale yet"),
}
CUSTOMER_CHOICES_LIMIT = 500


# ---------------------------------------------------------------- the planning grid


def _zone(actor: Actor, request: HttpRequest) -> ZoneInfo:
    return request.staff_organisation.zone  # type: ignore[attr-defined,no-any-return]


def _day(request: HttpRequest, zone: ZoneInfo) -> date:
    text = request.GET.get("day", "")
    try:
        parsed = dateparse.parse_date(text) if text else None
    except ValueError:
        parsed = None
    return parsed or timezone.localtime(timezone.now(), zone).date()


@login_required
def planning(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    zone = _zone(actor, request)
    day = _day(request, zone)
    week = request.GET.get("view") == "week"
    first = day - timedelta(days=day.weekday()) if week else day
    last = first + timedelta(days=6) if week else day
    now = timezone.now()
    grid = booking_selectors.planning(
        actor.organisation_id,  # type: ignore[arg-type]
        first=first,
        last=last,
        zone=zone,
        now=now,
    )
    links = _Links()
    step = timedelta(days=7 if week else 1)
    view = "week" if week else "day"
    context: dict[str, Any] = {
        "grid": grid,
        "sells_places": any(
            s.places_per_session is not None for row in grid.rows for s in row.schedule.services
        ),
        "week": week,
        "day": day,
        "first": first,
        "last": last,
        "today": timezone.localtime(now, zone).date(),
        "previous": _planning_url(day - step, view),
        "next": _planning_url(day + step, view),
        "day_url": _planning_url(day, "day"),
        "week_url": _planning_url(day, "week"),
        "today_url": _planning_url(None, view),
    }
    if week:
        context["week_rows"] = [
            {
                "room": row.room,
                "days": [
                    {
                        "day": d,
                        "cells": [_cell(c, zone, links) for c in row.on(d, zone)],
                        "url": _planning_url(d, "day"),
                    }
                    for d in grid.days
                ],
            }
            for row in grid.rows
        ]
    else:
        times = sorted(
            {c.starts_at.astimezone(zone).time() for row in grid.rows for c in row.cells}
        )
        context["times"] = times
        context["day_rows"] = []
        for row in grid.rows:
            cells = [_cell(c, zone, links) for c in row.cells]
            context["day_rows"].append(
                {
                    "room": row.room,
                    "closed": row.schedule.closed.get(day),
                    "cells": cells,
                    "by_time": _by_time(cells, times),
                }
            )
    return render(request, "backoffice/planning.html", context)


def _planning_url(day: date | None, view: str) -> str:
    query: dict[str, str] = {}
    if day is not None:
        query["day"] = day.isoformat()
    if view == "week":
        query["view"] = "week"
    base = reverse("backoffice:planning")
    return f"{base}?{urlencode(query)}" if query else base


def _by_time(cells: list[dict[str, Any]], times: list[Any]) -> list[Any]:
    at = {c["time"].time(): c for c in cells}
    return [at.get(t) for t in times]


class _Links:
    """What every session prints, computed once per page and per distinct value: a week
    draws 560 sessions of a few dozen different times, counts and deadlines, and `reverse`,
    `localize`, `ngettext` and the date filters cost 10-40 µs a call. The addresses are
    reversed once and completed per session."""

    def __init__(self) -> None:
        before, _, after = booking_url(MARKER).rpartition(MARKER)
        self._booking = (before, after)
        self._book = reverse("backoffice:planning_book") + "?"
        self._places = reverse("backoffice:box_office") + "?date="
        self._attendees = reverse("backoffice:attendees", args=[0]).replace("/0/", "/{}/")
        self._texts: dict[tuple[str, Any], str] = {}

    def booking(self, reference: str) -> str:
        before, after = self._booking
        return before + quote(reference, safe=SAFE_IN_PATH) + after

    def book(self, cell: Any) -> str:
        if cell.places is not None:  # places go through the box office's normal booking
            return self._places + str(cell.places.date_id)
        return self._book + urlencode({"room": cell.room.id, "start": cell.starts_at.isoformat()})

    def attendees(self, date_id: int) -> str:
        return self._attendees.format(date_id)

    def text(self, kind: str, value: Any) -> str:
        key = (kind, value)
        if key not in self._texts:
            self._texts[key] = TEXTS[kind](value)
        return self._texts[key]


def _number(n: int) -> str:
    """A count as `{{ n }}` prints it in a `blocktranslate`."""
    return escape(localize(n))


# Each returns escaped text (the template tags' output, `blocktranslate` leaving the
# translation itself unescaped as it does).
TEXTS: dict[str, Callable[[Any], str]] = {
    "time": lambda at: escape(time_filter(template_localtime(at), "TIME_FORMAT")),
    "until": lambda at: (
        gettext("until %(when)s")
        % {"when": escape(date_filter(template_localtime(at), "SHORT_DATETIME_FORMAT"))}
    ),
    "players": lambda n: ngettext("%(n)s player", "%(n)s players", n) % {"n": _number(n)},
    "quotes": lambda n: ngettext("%(n)s quote", "%(n)s quotes", n) % {"n": _number(n)},
    "places": lambda p: (
        ngettext("%(taken)s / %(capacity)s place", "%(taken)s / %(capacity)s places", p[1])
        % {"taken": _number(p[0]), "capacity": _number(p[1])}
    ),
}


MARKER = "REFERENCE"
SAFE_IN_PATH = RFC3986_SUBDELIMS + "/~:@"  # what `reverse` leaves unquoted


def _cell(cell: Any, zone: ZoneInfo, links: _Links) -> dict[str, Any]:
    """What the template shows of a session: its words, its shape, where it leads."""
    holder = cell.blocking
    status = cell.status
    item: dict[str, Any] = {
        "cell": cell,
        "status": status,
        "word": STATUS_WORDS.get(status, status),
        "time": cell.starts_at.astimezone(zone),
        "ends": cell.ends_at.astimezone(zone),
        "holder": holder,
        "others": cell.others,
        "quotes": len(cell.quotes),
        "bookable": cell.bookable,
        "off_schedule": not cell.scheduled,
    }
    if holder is not None:
        booking = holder.booking
        item["url"] = links.booking(booking.reference)
        item["who"] = booking.customer.name if booking.customer else booking.reference
        item["players"] = holder.players
        if booking.state == State.OPTION and booking.deadline_shown:
            item["deadline"] = timezone.localtime(booking.deadline_shown, zone)
    elif cell.bookable:
        item["url"] = links.book(cell)
    if cell.places is not None:
        item["places"] = (cell.places.taken, cell.places.capacity)
        item["attendees"] = links.attendees(cell.places.date_id) if cell.places.taken else ""
    item["html"] = _cell_html(item, links)
    return item


def _cell_html(s: dict[str, Any], links: _Links) -> SafeString:
    """One session of the planning, in words and by its shape (docs/design.md, "Planning"):
    the markup the `_session_cell.html` include drew, written here because a week draws 560
    sessions and the include was half of the page's time (docs/rooms.md, "Measured"). The
    same tags' functions and messages, so the same text in every language."""
    shape = f"session session-{s['status']}" + (" off-schedule" if s["off_schedule"] else "")
    html = [
        format_html('\n<a class="{}" href="{}">\n', shape, s["url"])
        if s.get("url")
        else format_html('\n<span class="{}">\n', shape),
        format_html(
            '<span class="session-time">{}</span>\n'
            '<span class="session-word"><span class="session-mark" aria-hidden="true"></span>'
            "{}</span>\n",
            mark_safe(links.text("time", s["time"])),  # noqa: S308 (escaped)
            s["word"],
        ),
    ]
    if s.get("places"):
        count = mark_safe(links.text("places", s["places"]))  # noqa: S308 (escaped)
        html.append(format_html('<span class="session-places">{}</span>', count))
    if s["holder"]:
        players = mark_safe(links.text("players", s["players"]))  # noqa: S308 (escaped)
        html.append(format_html('<span class="session-who">{} · {}</span>', s["who"], players))
    html.append("\n")
    if s.get("deadline"):
        until = mark_safe(links.text("until", s["deadline"]))  # noqa: S308 (escaped)
        html.append(format_html('<span class="session-deadline">{}</span>', until))
    html.append("\n")
    if s["quotes"]:
        quotes = mark_safe(links.text("quotes", s["quotes"]))  # noqa: S308 (escaped)
        html.append(format_html('<span class="session-quotes">{}</span>', quotes))
    html.append("\n")
    if s["off_schedule"]:
        html.append(format_html('<span class="session-note">{}</span>', gettext("off schedule")))
    html.append("\n</a>\n" if s.get("url") else "\n</span>\n")
    if s.get("attendees"):
        html.append(
            format_html(
                '<ul class="session-others"><li><a href="{}">{}</a></li></ul>',
                s["attendees"],
                gettext("Who is booked"),
            )
        )
    if s["others"]:
        html.append('<ul class="session-others">')
        for other in s["others"]:
            booking = other.booking
            html.append(
                format_html(
                    '<li><a href="{}"><code>{}</code></a> \n'
                    '<span class="badge state-{}">{}</span>\n{}</li>',
                    links.booking(booking.reference),
                    booking.reference,
                    booking.state,
                    booking.get_state_display(),
                    format_html(" <small>{}</small>", gettext("deadline passed"))
                    if other.lapsed
                    else "",
                )
            )
        html.append("</ul>")
    html.append("\n")
    return mark_safe("".join(html))  # noqa: S308 (every piece above is escaped)


# ---------------------------------------------------------------- book a session


class BookSessionForm(forms.Form):
    customer = forms.TypedChoiceField(
        label=_("Customer"), coerce=int, required=False, empty_value=None
    )
    new_name = forms.CharField(label=_("Or a new customer: name"), required=False, max_length=200)
    new_email = forms.EmailField(label=_("Email"), required=False, max_length=254)
    new_phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    mode = forms.ChoiceField(
        label=_("Type of booking"),
        choices=MODE_CHOICES,
        initial=State.OPTION.value,
        widget=forms.RadioSelect,
    )
    notify = forms.BooleanField(label=_("Send the confirmation now"), required=False, initial=True)
    note = forms.CharField(
        label=_("Private note"), required=False, max_length=1000, widget=forms.Textarea({"rows": 2})
    )

    def __init__(self, service: Service, customers: list[Customer], *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.service = service
        self.fields["customer"].choices = [
            ("", "—"),
            *((c.id, _customer_label(c)) for c in customers),
        ]  # type: ignore[attr-defined]
        self.price_fields: list[str] = []
        for price in service.prices.all():
            name = f"players_{price.id}"
            self.fields[name] = forms.IntegerField(
                label=_price_label(price, service.currency),  # type: ignore[attr-defined]
                min_value=0,
                max_value=actions.MAX_QUANTITY,
                initial=0,
                required=False,
            )
            self.price_fields.append(name)

    def players(self) -> dict[int, int]:
        return {
            int(name.removeprefix("players_")): self.cleaned_data.get(name) or 0
            for name in self.price_fields
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            if data.get("customer") is None and not data.get("new_name"):
                self.add_error("customer", _("Choose a customer or type a new customer's name."))
            people = sum(self.players().values()) if self.price_fields else 0
            service = self.service
            if not service.min_participants <= people <= service.max_participants:
                self.add_error(
                    self.price_fields[0] if self.price_fields else None,
                    _("This game takes between %(min)s and %(max)s players.")
                    % {"min": service.min_participants, "max": service.max_participants},
                )
        return data


def _customer_label(customer: Customer) -> str:
    return f"{customer.name} <{customer.email}>" if customer.email else customer.name


def _price_label(price: Any, currency: str) -> str:
    amount = shown(price.price, currency)
    if price.per_group:
        return str(_("%(name)s (%(amount)s per group)") % {"name": price.name, "amount": amount})
    return str(_("%(name)s (%(amount)s per player)") % {"name": price.name, "amount": amount})


def _session(actor: Actor, room_id: str, start: str, zone: ZoneInfo) -> tuple[Resource, Any]:
    """The free session asked for, as the planning sees it, or 404."""
    try:
        # A "+01:00" typed into an address arrives as " 01:00".
        starts_at = datetime.fromisoformat(start.replace(" ", "+"))
        room = int(room_id)
    except (TypeError, ValueError):
        raise Http404 from None
    if timezone.is_naive(starts_at):
        raise Http404
    day = starts_at.astimezone(zone).date()
    grid = booking_selectors.planning(
        actor.organisation_id,  # type: ignore[arg-type]
        first=day,
        last=day,
        zone=zone,
        now=timezone.now(),
        room_ids=[room],
    )
    for row in grid.rows:
        for cell in row.cells:
            if cell.starts_at == starts_at and cell.scheduled:
                return row.room, cell
    raise Http404


@login_required
def book(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    zone = _zone(actor, request)
    params = request.POST if request.method == "POST" else request.GET
    room, cell = _session(actor, params.get("room", ""), params.get("start", ""), zone)
    service = cell.service
    service.currency = request.staff_organisation.currency  # type: ignore[attr-defined]
    customers = list(
        Customer.objects.filter(organisation_id=actor.organisation_id).order_by("name", "id")[
            :CUSTOMER_CHOICES_LIMIT
        ]
    )
    status = 200
    form = BookSessionForm(service, customers, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                booking = _book(actor, form, room, cell)
            except SlotTaken as error:
                form.add_error(None, error.text)
                status = error.status
            except DomainError as error:
                _refusal_on(form, error)
                status = error.status
            else:
                messages.success(
                    request,
                    _("Booking %(reference)s created.") % {"reference": booking.reference},
                )
                return redirect(booking_url(booking.reference))
        else:
            status = 422
    context = {
        "form": form,
        "room": room,
        "cell": cell,
        "service": service,
        "starts": cell.starts_at.astimezone(zone),
        "ends": cell.ends_at.astimezone(zone),
        "quotes": cell.quotes,
        "option_days": service.deadline_days_after_booking,
        "back": _planning_url(cell.starts_at.astimezone(zone).date(), "day"),
        "price_fields": [form[name] for name in form.price_fields],
    }
    return render(request, "backoffice/planning_book.html", context, status=status)


def _book(actor: Actor, form: BookSessionForm, room: Resource, cell: Any) -> Booking:
    data = form.cleaned_data
    new = None
    if data.get("customer") is None:
        new = CustomerData(
            name=data["new_name"],
            email=data.get("new_email") or "",
            phone=data.get("new_phone") or "",
        )
    return actions.book_session(
        actor=actor,
        organisation_id=actor.organisation_id,  # type: ignore[arg-type]
        room_id=room.id,
        starts_at=cell.starts_at,
        players=form.players(),
        mode=State(data["mode"]),
        customer_id=data.get("customer"),
        new_customer=new,
        notify=bool(data.get("notify")),
        note=data.get("note") or "",
    )


def _refusal_on(form: forms.Form, error: DomainError) -> None:
    """A refusal next to the field it concerns: players, the customer, else on top."""
    fields = getattr(error, "fields", None)
    if isinstance(fields, dict):
        for name, texts in fields.items():
            target = {"name": "new_name", "email": "new_email", "phone": "new_phone"}.get(
                name, name
            )
            for text in texts:
                form.add_error(target if target in form.fields else None, text)
        return
    players = getattr(form, "price_fields", [])
    if players and isinstance(
        error, PlayersOutOfRange | PlayersUnchanged | PlayersNamed | UnknownCategory
    ):
        form.add_error(players[0], error.text)
        return
    form.add_error(None, error.text)


# ---------------------------------------------------------------- players


def _timed_booking(actor: Actor, reference: str) -> tuple[Booking, list[BookingLine]]:
    try:
        booking = access_booking_by_reference(actor, reference)
    except NotFound:
        raise Http404 from None
    lines = list(
        booking.lines.select_related("service", "service_price", "resource")
        .prefetch_related("participants")
        .order_by("id")
    )
    if not lines or lines[0].service is None or lines[0].service.kind != Service.Kind.ROOM_SESSION:
        raise Http404
    return booking, lines


class PlayersForm(forms.Form):
    reason = forms.CharField(
        label=_("Private note"), required=False, max_length=1000, widget=forms.Textarea({"rows": 2})
    )

    def __init__(
        self, service: Service, lines: list[BookingLine], currency: str, *args: Any, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.service = service
        counts = {ln.service_price_id: ln.quantity for ln in lines}
        self.price_fields: list[str] = []
        # A category retired after this booking bought it stays here, so saving the form
        # does not drop its players (`set_room_prices`).
        offered = list(service.prices.all())
        offered += [
            ln.service_price
            for ln in lines
            if ln.service_price is not None and ln.service_price.retired_at is not None
        ]
        for price in offered:
            name = f"players_{price.id}"
            self.fields[name] = forms.IntegerField(
                label=_price_label(price, currency),
                min_value=0,
                max_value=actions.MAX_QUANTITY,
                initial=counts.get(price.id, 0),
                required=False,
            )
            self.price_fields.append(name)
        self.order_fields([*self.price_fields, "reason"])

    def players(self) -> dict[int, int]:
        return {
            int(name.removeprefix("players_")): self.cleaned_data.get(name) or 0
            for name in self.price_fields
        }


def _money(booking: Booking) -> dict[str, Any]:
    balance = payment_selectors.balance(booking)
    outstanding = balance.outstanding
    zero = Money(Decimal(0), booking.currency)
    return {
        "total": shown(booking.total, booking.currency),
        "captured": shown(balance.captured.amount - balance.refunded.amount, booking.currency),
        "due": shown(outstanding.amount, booking.currency) if outstanding > zero else None,
        "overpaid": shown(-outstanding.amount, booking.currency) if outstanding < zero else None,
        "overpaid_amount": -outstanding.amount if outstanding < zero else None,
    }


@login_required
def players(request: HttpRequest, reference: str) -> HttpResponse:
    actor = staff_actor(request)
    booking, lines = _timed_booking(actor, reference)
    service = lines[0].service
    assert service is not None
    status = 200
    form = PlayersForm(
        service, lines, booking.currency, request.POST if request.method == "POST" else None
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.change_players(
                    booking.id,
                    actor=actor,
                    players=form.players(),
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as error:
                _refusal_on(form, error)
                status = error.status
            else:
                messages.success(request, _("Players changed."))
                return redirect(reverse("backoffice:session_players", args=[booking.reference]))
        else:
            status = 422
    return render(
        request,
        "backoffice/session_players.html",
        {
            "booking": booking,
            "lines": lines,
            "form": form,
            "price_fields": [form[name] for name in form.price_fields],
            "service": service,
            "state_label": booking_labels.label(booking_labels.STATES, booking.state),
            "money": _money(booking),
            "limits": {"min": service.min_participants, "max": service.max_participants},
            "names": _name_rows(lines),
        },
        status=status,
    )


def _name_rows(lines: list[BookingLine]) -> list[dict[str, Any]]:
    rows = []
    for line in lines:
        names = [p.name for p in line.participants.all()]
        names += [""] * (line.quantity - len(names))
        rows.append(
            {
                "line": line,
                "fields": [
                    {"name": f"name_{line.id}_{i}", "value": n, "label": f"{line.item} {i + 1}"}
                    for i, n in enumerate(names)
                ],
            }
        )
    return rows


@login_required
def name_players(request: HttpRequest, reference: str) -> HttpResponse:
    if request.method != "POST":
        return redirect(reverse("backoffice:session_players", args=[reference]))
    actor = staff_actor(request)
    booking, lines = _timed_booking(actor, reference)
    names = {
        line.id: [request.POST.get(f"name_{line.id}_{i}", "")[:200] for i in range(line.quantity)]
        for line in lines
    }
    try:
        actions.name_players(booking.id, actor=actor, names=names)
    except DomainError as error:
        messages.error(request, error.text)
    else:
        messages.success(request, _("Players' names saved."))
    return redirect(reverse("backoffice:session_players", args=[booking.reference]))


# ---------------------------------------------------------------- move


class MoveForm(forms.Form):
    to = forms.ChoiceField(label=_("Move to"))
    notify = forms.BooleanField(
        label=_("Email the change to the customer"), required=False, initial=True
    )
    message = forms.CharField(
        label=_("Message to the customer"),
        required=False,
        max_length=1000,
        widget=forms.Textarea({"rows": 2}),
    )
    reason = forms.CharField(
        label=_("Private note"), required=False, max_length=1000, widget=forms.Textarea({"rows": 2})
    )


def _move_choices(
    actor: Actor, booking: Booking, line: BookingLine, zone: ZoneInfo, day: date
) -> list[tuple[str, str]]:
    """The free sessions of the game's rooms from `day`, for a week."""
    grid = booking_selectors.planning(
        actor.organisation_id,  # type: ignore[arg-type]
        first=day,
        last=day + timedelta(days=6),
        zone=zone,
        now=timezone.now(),
    )
    choices = []
    for row in grid.rows:
        for cell in row.cells:
            if not cell.bookable or cell.service is None or cell.service.id != line.service_id:
                continue
            if cell.room.id == line.resource_id and cell.starts_at == line.starts_at:
                continue
            when = formats.date_format(cell.starts_at.astimezone(zone), "SHORT_DATETIME_FORMAT")
            choices.append(
                (f"{cell.room.id}|{cell.starts_at.isoformat()}", f"{row.room.name} · {when}")
            )
    return choices


@login_required
def move(request: HttpRequest, reference: str) -> HttpResponse:
    actor = staff_actor(request)
    zone = _zone(actor, request)
    booking, lines = _timed_booking(actor, reference)
    line = lines[0]
    today = timezone.localtime(timezone.now(), zone).date()
    day = (
        _day(request, zone)
        if request.GET.get("day")
        else max(today, line.starts_at.astimezone(zone).date() - timedelta(days=3))
    )
    if day < today:
        day = today
    status = 200
    form = MoveForm(request.POST or None)
    choices = _move_choices(actor, booking, line, zone, day)
    if request.method == "POST":
        # A session taken or passed since the page was drawn is refused by the action.
        form.fields["to"].choices = [(request.POST.get("to", ""), "")]  # type: ignore[attr-defined]
    else:
        form.fields["to"].choices = choices  # type: ignore[attr-defined]
    if request.method == "POST":
        if form.is_valid():
            try:
                room_id, start = form.cleaned_data["to"].split("|", 1)
                starts_at = datetime.fromisoformat(start)
                actions.move_booking(
                    booking.id,
                    actor=actor,
                    to=actions.Destination(starts_at=starts_at, resource_id=int(room_id)),
                    reason=form.cleaned_data["reason"],
                    message=form.cleaned_data["message"],
                    notify=form.cleaned_data["notify"],
                )
            except ValueError:
                form.add_error("to", _("Choose a session."))
                status = 422
            except DomainError as error:
                form.add_error("to", error.text)
                status = error.status
            else:
                messages.success(request, _("Booking moved."))
                return redirect(booking_url(booking.reference))
        else:
            status = 422
        form.fields["to"].choices = choices  # type: ignore[attr-defined]
    return render(
        request,
        "backoffice/session_move.html",
        {
            "booking": booking,
            "line": line,
            "form": form,
            "has_choices": bool(choices),
            "day": day,
            "earlier": f"?day={(day - timedelta(days=7)).isoformat()}"
            if day - timedelta(days=7) >= today
            else "",
            "later": f"?day={(day + timedelta(days=7)).isoformat()}",
            "state_label": booking_labels.label(booking_labels.STATES, booking.state),
        },
        status=status,
    )


__all__ = ["book", "move", "name_players", "planning", "players"]
