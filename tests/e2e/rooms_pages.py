"""Where the room-session pages of the demo are (issue 14), for the staff pages' table."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.http import urlencode

from tentative.accounts.models import Organisation
from tentative.bookings import selectors
from tentative.bookings.models import Booking


def _day(org: Organisation, days: int = 1) -> str:
    return (timezone.localtime(timezone.now(), org.zone).date() + timedelta(days=days)).isoformat()


def planning_day(org: Organisation) -> str:
    return f"/staff/planning/?day={_day(org)}"


def planning_week(org: Organisation) -> str:
    return f"/staff/planning/?day={_day(org)}&view=week"


def book_session(org: Organisation) -> str:
    """The form for the first free session of the day after tomorrow (one with a quote on it
    if there is one)."""
    day = timezone.localtime(timezone.now(), org.zone).date() + timedelta(days=2)
    grid = selectors.planning(org.id, first=day, last=day, zone=org.zone, now=timezone.now())
    cells = [c for row in grid.rows for c in row.cells if c.bookable and not c.sells_places]
    cell = next((c for c in cells if c.quotes), cells[0])
    query = urlencode({"room": cell.room.id, "start": cell.starts_at.isoformat()})
    return f"/staff/planning/book/?{query}"


def session_booking(org: Organisation) -> Booking:
    """The demo's first firm session: paid, then fewer players (an overpayment)."""
    return (
        Booking.objects.filter(
            organisation=org, state="confirmed", lines__resource__name="The Vault"
        )
        .order_by("id")
        .first()
    )  # type: ignore[return-value]


def players(org: Organisation) -> str:
    return f"/staff/bookings/{session_booking(org).reference}/players/"


def move(org: Organisation) -> str:
    return f"/staff/bookings/{session_booking(org).reference}/session/move/"


def booking(org: Organisation) -> str:
    return f"/staff/bookings/{session_booking(org).reference}/"


def photographed(org: Organisation) -> Booking:
    """The demo's played session with a photo (yesterday)."""
    return Booking.objects.filter(organisation=org, photos__isnull=False).first()  # type: ignore[return-value]


def session_photos(org: Organisation) -> str:
    return f"/staff/bookings/{photographed(org).reference}/photos/"


def day_photos(org: Organisation) -> str:
    return f"/staff/planning/photos/?day={_day(org, -1)}"


def session_cancel(org: Organisation) -> str:
    return f"/staff/bookings/{session_booking(org).reference}/session/cancel/"


def rooms() -> str:
    return "/staff/rooms/"


def room(org: Organisation) -> str:
    from tentative.catalog.models import Resource

    vault = Resource.objects.get(organisation=org, kind=Resource.Kind.ROOM, name="The Vault")
    return f"/staff/rooms/{vault.id}/"


def _observatory(org: Organisation):  # type: ignore[no-untyped-def]
    from tentative.catalog.models import Resource

    return Resource.objects.get(organisation=org, kind=Resource.Kind.ROOM, name="The Observatory")


def room_places(org: Organisation) -> str:
    """The demo's room that sells places (its price categories editable below)."""
    return f"/staff/rooms/{_observatory(org).id}/"


def places_box_office(org: Organisation) -> str:
    """The box office opened from a session of the room that sells places."""
    from tentative.catalog.models import EventDate

    game = _observatory(org).services.get()
    date = (
        EventDate.objects.filter(event_id=game.places_event_id, starts_at__gt=timezone.now())
        .order_by("starts_at")
        .first()
    )
    return f"/staff/box-office/?date={date.id}"  # type: ignore[union-attr]
