"""Rooms for the tests: made through the catalogue's `create_room`, as staff would."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from tentative.accounts.models import Organisation
from tentative.bookings import actions
from tentative.catalog import actions as catalog
from tentative.catalog.models import Resource, Service
from tentative.core.states import State
from tentative.shared.actor import Actor

EVERY_DAY = frozenset(range(7))
TIMES = "10:00 11:30 14:00 15:30 17:00"


def escape_room(
    org: Organisation,
    actor: Actor,
    name: str = "The Vault",
    *,
    times: str = TIMES,
    weekdays: frozenset[int] = EVERY_DAY,
    min_players: int = 2,
    max_players: int = 6,
    option_days: int = 3,
    group_price: str | None = None,
) -> Resource:
    """A room with a 60-minute game, 30 minutes to reset, adults 30.00 and children 20.00
    per player (and a per-group package if `group_price`)."""
    categories = [
        catalog.Category("Adult", Decimal("30.00")),
        catalog.Category("Child", Decimal("20.00")),
    ]
    if group_price is not None:
        categories.append(catalog.Category("Package", Decimal(group_price), per_group=True))
    return catalog.create_room(
        org.id,
        actor=actor,
        spec=catalog.RoomSpec(
            name=name,
            game=f"{name} game",
            duration=timedelta(minutes=60),
            reset=timedelta(minutes=30),
            min_players=min_players,
            max_players=max_players,
            option_days=option_days,
            categories=tuple(categories),
            schedules=(catalog.Schedule(weekdays, times),),
        ),
    )


def sell_places(
    room: Resource,
    actor: Actor,
    places: int | None = 12,
    *,
    times: str = "10:00 14:00",
    **changes: object,
) -> Resource:
    """Set `room` to sell `places` a session every day at `times` (None: booked whole again),
    the rest of its settings as they are (`changes` override them)."""
    g = game(room)
    base: dict[str, object] = {
        "name": room.name,
        "game": g.name,
        "duration": g.duration,
        "reset": g.buffer_after,
        "min_players": g.min_participants,
        "max_players": g.max_participants,
        "option_days": g.deadline_days_after_booking,
        "schedules": (catalog.Schedule(EVERY_DAY, times),),
        "places": places,
    }
    base.update(changes)
    return catalog.update_room(
        room.id,
        actor=actor,
        changes=catalog.RoomChanges(**base),  # type: ignore[arg-type]
    )


def game(room: Resource) -> Service:
    return room.services.get()


def prices(room: Resource) -> list[int]:
    return [p.id for p in game(room).prices.order_by("id")]


def in_days(org: Organisation, days: int, at: str = "14:00") -> datetime:
    day = timezone.localtime(timezone.now(), org.zone).date() + timedelta(days=days)
    hours, minutes = (int(x) for x in at.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=org.zone)


def book(
    actor: Actor,
    room: Resource,
    starts_at: datetime,
    *counts: int,
    mode: State = State.OPTION,
    customer_id: int | None = None,
    **kwargs: object,
):  # type: ignore[no-untyped-def]
    """Book the session with `counts` players per category (adults, children, …)."""
    return actions.book_session(
        actor=actor,
        organisation_id=room.organisation_id,
        room_id=room.id,
        starts_at=starts_at,
        players=dict(zip(prices(room), counts or (2,), strict=False)),
        mode=mode,
        customer_id=customer_id,
        **kwargs,  # type: ignore[arg-type]
    )
