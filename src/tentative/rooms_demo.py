"""Demo data for room sessions (issue 14): two rooms, "The Vault" and "Lost Temple", with
their weekly session times, and a week of sessions in every state — free, firm (one paid,
then fewer players: an overpayment to keep as a coupon), options with their deadline,
quotes on free sessions, a cancelled one and a moved one — so that `/staff/planning/`
shows every kind of cell on the demo's first run; and "The Observatory", a room that sells
places (12 a session, groups share it), with its week of sessions some partly sold and one
full. The Vault and the Temple are on the demo's public pages (`/o/demo/`, each room's page
books its free sessions online). Everything goes through the actions."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tentative.accounts.models import Customer, Organisation
from tentative.bookings import actions
from tentative.bookings import selectors as booking_selectors
from tentative.bookings.models import Channel
from tentative.catalog import actions as catalog
from tentative.catalog.models import EventDate, Resource
from tentative.core.states import State
from tentative.inventory import actions as inventory
from tentative.payments import actions as payments
from tentative.shared.actor import Actor

EVERY_DAY_BUT_MONDAY = frozenset(range(1, 7))


def create_rooms_demo(
    org: Organisation, staff: Actor, customers: list[Customer], now: datetime
) -> list[Resource]:
    vault = catalog.create_room(
        org.id,
        actor=staff,
        spec=catalog.RoomSpec(
            name="The Vault",
            game="Heist at the Vault",
            description="Sixty minutes to crack the bank's vault before the guards return.",
            duration=timedelta(minutes=60),
            reset=timedelta(minutes=30),
            min_players=2,
            max_players=6,
            option_days=3,
            categories=(
                catalog.Category("Adult", Decimal("28.00")),
                catalog.Category("Child (under 14)", Decimal("20.00")),
            ),
            schedules=(
                catalog.Schedule(EVERY_DAY_BUT_MONDAY, "10:00 11:30 14:00 15:30 17:00 18:30"),
            ),
        ),
        now=now,
    )
    temple = catalog.create_room(
        org.id,
        actor=staff,
        spec=catalog.RoomSpec(
            name="Lost Temple",
            game="The Lost Temple",
            description="Find the idol and get out before the temple seals itself again.",
            duration=timedelta(minutes=75),
            reset=timedelta(minutes=15),
            min_players=3,
            max_players=8,
            option_days=2,
            categories=(
                catalog.Category("Adult", Decimal("30.00")),
                catalog.Category("Student", Decimal("24.00")),
                catalog.Category("Birthday package", Decimal("150.00"), per_group=True),
            ),
            schedules=(
                catalog.Schedule(frozenset(range(7)), "10:30 14:00 16:00 18:00"),
                catalog.Schedule(frozenset({4, 5}), "20:00"),  # late sessions on Fri, Sat
            ),
        ),
        now=now,
    )
    zone = org.zone
    today = timezone.localtime(now, zone).date()
    grid = booking_selectors.planning(
        org.id, first=today + timedelta(days=1), last=today + timedelta(days=7), zone=zone, now=now
    )
    sessions = {row.room.id: [c for c in row.cells if c.bookable] for row in grid.rows}
    v, t = sessions[vault.id], sessions[temple.id]
    prices = {r.id: [p.id for p in r.services.get().prices.all()] for r in (vault, temple)}

    def book(room: Resource, cell: Any, mode: State, who: Customer, *counts: int) -> Any:
        return actions.book_session(
            actor=staff,
            organisation_id=org.id,
            room_id=room.id,
            starts_at=cell.starts_at,
            players=dict(zip(prices[room.id], counts, strict=False)),
            mode=mode,
            customer_id=who.id,
            notify=False,
            now=now,
        )

    a, b, c = customers[0], customers[1], customers[2]
    paid = book(vault, v[0], State.CONFIRMED, a, 4, 1)
    payments.record_payment(paid.id, actor=staff, amount=paid.total, note="Cash", now=now)
    actions.change_players(paid.id, actor=staff, players={prices[vault.id][0]: 3}, now=now)
    book(vault, v[2], State.OPTION, b, 5)
    book(vault, v[3], State.QUOTE, c, 6)  # a quote: the session stays free
    book(vault, v[7], State.CONFIRMED, c, 2, 2)
    book(vault, v[9], State.OPTION, a, 3)
    moved = book(vault, v[12], State.CONFIRMED, b, 4)
    actions.move_booking(
        moved.id,
        actor=staff,
        to=actions.Destination(starts_at=v[13].starts_at),
        reason="Asked by phone",
        notify=False,
        now=now,
    )
    cancelled = book(temple, t[1], State.OPTION, c, 4)
    actions.cancel_booking(cancelled.id, actor=staff, reason="Changed plans", now=now)
    book(temple, t[0], State.CONFIRMED, a, 6, 2)
    book(temple, t[3], State.OPTION, b, 0, 5)
    book(temple, t[3 + 1], State.QUOTE, a, 3)
    book(temple, t[6], State.CONFIRMED, c, 0, 0, 6)  # a birthday: one price for the group
    book(temple, t[8], State.OPTION, a, 4, 0)
    return [vault, temple, _observatory(org, staff, customers, now)]


def _observatory(
    org: Organisation, staff: Actor, customers: list[Customer], now: datetime
) -> Resource:
    """A room that sells places (docs/rooms.md "Whole room, or places"): made whole, then
    set to sell 12 places a session, its dates made, and groups booked on a few of them."""
    spec = catalog.RoomSpec(
        name="The Observatory",
        game="Stargazers (shared sessions)",
        duration=timedelta(minutes=60),
        reset=timedelta(minutes=30),
        min_players=1,
        max_players=12,
        option_days=2,
        categories=(
            catalog.Category("Adult", Decimal("25.00")),
            catalog.Category("Child (under 14)", Decimal("18.00")),
        ),
        schedules=(catalog.Schedule(frozenset(range(7)), "11:00 16:00 19:00"),),
    )
    observatory = catalog.create_room(org.id, actor=staff, spec=spec, now=now)
    catalog.update_room(
        observatory.id,
        actor=staff,
        changes=catalog.RoomChanges(
            name=spec.name,
            game=spec.game,
            duration=spec.duration,
            reset=spec.reset,
            min_players=spec.min_players,
            max_players=spec.max_players,
            option_days=spec.option_days,
            schedules=spec.schedules,
            places=12,
        ),
        now=now,
    )
    game = observatory.services.get()
    inventory.sync_place_dates(game.id, actor=staff, now=now)
    game.refresh_from_db()
    dates = list(
        EventDate.objects.filter(
            event_id=game.places_event_id,
            starts_at__gt=now + timedelta(days=1),
            starts_at__lte=now + timedelta(days=8),
        ).order_by("starts_at")
    )
    adult, child = (p.ticket_type_id for p in game.prices.order_by("id"))
    groups = [  # (session, customer, adults, children, state)
        (0, 0, 4, 3, State.CONFIRMED),
        (0, 1, 2, 0, State.OPTION),
        (1, 2, 6, 6, State.CONFIRMED),  # full
        (3, 1, 3, 0, State.CONFIRMED),
        (5, 0, 2, 2, State.OPTION),
        (7, 2, 5, 0, State.CONFIRMED),
        (7, 0, 2, 1, State.QUOTE),  # a quote takes no place
    ]
    for session, who, adults, children, mode in groups:
        lines = [
            actions.LineRequest(event_date_id=dates[session].id, ticket_type_id=kind, quantity=n)
            for kind, n in ((adult, adults), (child, children))
            if n
        ]
        actions.create_booking(
            actor=staff,
            organisation_id=org.id,
            mode=mode,
            lines=lines,  # type: ignore[arg-type]
            customer_id=customers[who].id,
            channel=Channel.BOX_OFFICE,
            notify=False,
            now=now,
        )
    return observatory
