"""A room's public booking page, `/o/<org_slug>/rooms/<room_id>/` (issue 14 item 8).

The room, its game and its price categories; a week of days (each with its free sessions
counted) and the chosen day's sessions, in the organisation's time zone and the visitor's
language: free sessions as choices, taken and past ones shown but not bookable (the
planning's own reading, `bookings.selectors.planning`, for this room only). Then players
per price category (within the game's range; the price computed as they are typed by
`public/rooms.js`, and by the server whenever the form comes back), the contact details,
and one button. `bookings.actions.book_session_online` checks everything again and books:
the card page is next (or the done page for a game the organiser approves, or a free
one). A refusal (a session taken meanwhile, a time no rule offers, a closed day, players
out of range, an unknown category) comes back next to its field with the form as typed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django import forms as django_forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from tentative.bookings import actions as booking_actions
from tentative.bookings import selectors as booking_selectors
from tentative.bookings.actions import MAX_QUANTITY
from tentative.bookings.errors import PlayersOutOfRange
from tentative.catalog.models import Service, ServicePrice
from tentative.public import forms
from tentative.public.checkout import _after_submit
from tentative.public.shop import organisation_for
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.errors import DomainError

WEEK = 7
HORIZON_DAYS = 366
CHOOSE_A_SESSION = _("Choose one of the free sessions.")
PLAYERS_NUMBER = _("Give the number of players as a whole number.")


def _day(value: str, default: date) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return default


def _session(value: str, now: datetime) -> datetime | None:
    """A radio's value: the session's start, in UTC ISO format; nothing for a value that is
    not one, or far outside the days the page offers (year 9999 would overflow later)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None or not (
        now - timedelta(days=2) <= moment <= now + timedelta(days=HORIZON_DAYS + 2)
    ):
        return None
    return moment


class PlayersForm(django_forms.Form):
    """A number of players per price category of the game; empty counts as none."""

    def __init__(self, *args: Any, prices: list[ServicePrice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prices = prices
        for price in prices:
            self.fields[f"p_{price.id}"] = django_forms.IntegerField(
                label=price.name,
                required=False,
                min_value=0,
                max_value=MAX_QUANTITY,
                error_messages={
                    "invalid": PLAYERS_NUMBER,
                    "min_value": PLAYERS_NUMBER,
                    "max_value": PLAYERS_NUMBER,
                },
                widget=django_forms.NumberInput(
                    attrs={
                        "inputmode": "numeric",
                        "data-price": str(price.price),
                        "data-per-group": "1" if price.per_group else "",
                    }
                ),
            )

    def players(self) -> dict[int, int]:
        return {
            price.id: self.cleaned_data.get(f"p_{price.id}") or 0
            for price in self.prices
            if self.cleaned_data.get(f"p_{price.id}")
        }

    def rows(self) -> list[tuple[ServicePrice, django_forms.BoundField]]:
        return [(price, self[f"p_{price.id}"]) for price in self.prices]


def total_of(prices: list[ServicePrice], players: dict[int, int]) -> Decimal:
    """What the players cost, as the booking's lines will (a per-group price once)."""
    total = Decimal(0)
    for price in prices:
        count = players.get(price.id, 0)
        if count:
            total += price.price if price.per_group else price.price * count
    return total


@require_http_methods(["GET", "POST"])
def room_page(request: HttpRequest, org_slug: str, room_id: int) -> HttpResponse:
    organisation = organisation_for(request, org_slug)
    now = now_or(None)
    zone = organisation.zone
    today = timezone.localtime(now, zone).date()
    source = request.POST if request.method == "POST" else request.GET
    day = min(max(_day(source.get("date", ""), today), today), today + timedelta(HORIZON_DAYS))
    first = today + timedelta(days=(day - today).days // WEEK * WEEK)
    last = first + timedelta(days=WEEK - 1)
    board = booking_selectors.planning(
        organisation.id, first=first, last=last, zone=zone, now=now, room_ids=[room_id]
    )
    if not board.rows or not board.rows[0].schedule.services:
        raise Http404()
    row = board.rows[0]
    service = _game(row.schedule.services, row.cells)
    if service.places_per_session and service.places_event_id is not None:
        # A room that sells places is sold as its game's event: its places, not the room.
        return redirect("public:event", organisation.slug, service.places_event_id)
    prices = list(service.prices.all())
    players_form = PlayersForm(request.POST if request.method == "POST" else None, prices=prices)
    form = forms.CheckoutForm(
        request.POST if request.method == "POST" else None,
        modes=["request" if service.requires_approval else "buy"],
        places=0,
        questions=[],
        languages=organisation.languages or [organisation.default_language],
        initial={
            "mode": "request" if service.requires_approval else "buy",
            "language": translation.get_language(),
        },
    )
    session_error = players_error = ""
    status = 200
    picked = request.POST.get("session", "") if request.method == "POST" else ""
    if request.method == "POST":
        starts_at = _session(picked, now)
        valid = players_form.is_valid() & form.is_valid()
        if starts_at is None:
            session_error = str(CHOOSE_A_SESSION)
        if valid and starts_at is not None:
            submission = form.submission()
            try:
                booking = booking_actions.book_session_online(
                    actor=Actor.visitor(organisation.id),
                    organisation_id=organisation.id,
                    room_id=row.room.id,
                    starts_at=starts_at,
                    players=players_form.players(),
                    contact=submission.contact,
                    address=request.META.get("REMOTE_ADDR", ""),
                    now=now,
                )
            except DomainError as refusal:
                name = refusal.params.get("field")
                if name == "players":
                    players_error = refusal.text
                elif name in form.fields:
                    form.add_error(name, refusal.text)
                else:
                    session_error = refusal.text
                status = refusal.status
            else:
                return _after_submit(request, organisation, booking)
        else:
            status = 422
            # Say everything at once: the players' range too, when the rest is refused.
            count = sum(players_form.players().values()) if players_form.is_valid() else None
            if count is not None and not (
                service.min_participants <= count <= service.max_participants
            ):
                players_error = PlayersOutOfRange(
                    service=service.name,
                    min=service.min_participants,
                    max=service.max_participants,
                ).text
    context = {
        "organisation": organisation,
        "room": row.room,
        "service": service,
        "prices": prices,
        "players_form": players_form,
        "players_error": players_error,
        "total": total_of(
            prices,
            players_form.players() if players_form.is_bound and players_form.is_valid() else {},
        ),
        "form": form,
        "session_error": session_error,
        "picked": picked,
        "day": day,
        "today": today,
        "week": _week(row.cells, first, zone),
        "sessions": _sessions(row.on(day, zone), zone),
        "previous_week": first - timedelta(days=WEEK) if first > today else None,
        "next_week": first + timedelta(days=WEEK),
        "zone": zone.key,
        "request_mode": service.requires_approval,
        "duration_minutes": int(service.duration.total_seconds() // 60),
    }
    return render(request, "public/room.html", context, status=status)


def _game(services: list[Service], cells: list[Any]) -> Service:
    """The game the room's sessions sell (the first session's, else the room's first), as
    read with its prices (the session's own copy has none prefetched)."""
    by_id = {service.id: service for service in services}
    for cell in cells:
        if cell.service is not None and cell.scheduled and cell.service.id in by_id:
            return by_id[cell.service.id]
    return services[0]


def _week(cells: list[Any], first: date, zone: Any) -> list[dict[str, Any]]:
    free: dict[date, int] = {}
    for cell in cells:
        if cell.bookable and cell.scheduled:
            local = cell.starts_at.astimezone(zone).date()
            free[local] = free.get(local, 0) + 1
    return [
        {"day": first + timedelta(days=n), "free": free.get(first + timedelta(days=n), 0)}
        for n in range(WEEK)
    ]


def _sessions(cells: list[Any], zone: Any) -> list[dict[str, Any]]:
    """The day's sessions on the schedule (a booking moved to another time is not one to
    offer), each free or not; times in the organisation's zone."""
    return [
        {
            "value": cell.starts_at.astimezone(UTC).isoformat(),
            "label": formats.time_format(cell.starts_at.astimezone(zone), "TIME_FORMAT"),
            "free": cell.bookable,
            "past": cell.past,
            "id": f"session-{int(cell.starts_at.timestamp())}",
        }
        for cell in cells
        if cell.scheduled
    ]
