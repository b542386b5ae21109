"""DESIGN §2.2 #1 with reserves, under concurrency: staff booking from two reserves, customers
buying in general sale, staff cancelling, and a manager growing, shrinking and releasing the
reserves, all at once on one date.

Checked in SQL, not from return values: at every snapshot an observer takes, and at the end,
the date is never oversold, no reserve is booked beyond what it holds (never below zero
left), general sale never holds reserved places (the date pool's `set_aside` equals what
its reserves hold), every counter equals its holds, and `reconcile` finds no drift.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection

from tentative.audit.models import AuditEntry
from tentative.bookings import actions
from tentative.bookings.errors import SoldOut
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.inventory import errors as reserve_errors
from tentative.inventory.actions import (
    create_reserve,
    release_due_reserves,
    release_places,
    schedule_release,
    set_allocation,
)
from tentative.inventory.capacity import reconcile
from tentative.inventory.models import Reserve, ReserveDate
from tentative.outbox.models import OutboxMessage
from tentative.shared.errors import CapacityBusy
from tests.conftest import on_postgres
from tests.factories import on_sale, staff

# Row locks and real interleaving: SQLite runs one writer at a time, so it proves little here.
pytestmark = [pytest.mark.django_db(transaction=True), on_postgres]

CAPACITY = 60
ROUNDS = 30
JOIN_TIMEOUT = 180

# One statement, so one snapshot: every figure below is read at the same instant.
INVARIANTS = """
SELECT g.capacity, g.taken, g.set_aside,
  (SELECT COALESCE(SUM(r.capacity), 0) FROM inventory_capacitypool r
    WHERE r.event_date_id = g.event_date_id AND r.reserve_id IS NOT NULL) AS reserved,
  (SELECT COUNT(*) FROM inventory_capacitypool r
    WHERE r.event_date_id = g.event_date_id AND r.reserve_id IS NOT NULL
      AND (r.taken > r.capacity OR r.taken < 0 OR r.set_aside <> 0)) AS bad_reserves,
  (SELECT COUNT(*) FROM inventory_capacitypool r
    WHERE r.event_date_id = g.event_date_id AND r.reserve_id IS NOT NULL
      AND r.taken <> (SELECT COALESCE(SUM(h.quantity), 0) FROM inventory_hold h
        JOIN bookings_bookingline l ON l.id = h.line_id
        JOIN bookings_booking b ON b.id = l.booking_id
        WHERE h.pool_id = r.id AND b.holds_capacity)) AS reserves_off_ledger,
  (SELECT COALESCE(SUM(h.quantity), 0) FROM inventory_hold h
    JOIN bookings_bookingline l ON l.id = h.line_id
    JOIN bookings_booking b ON b.id = l.booking_id
    WHERE h.pool_id = g.id AND b.holds_capacity) AS general_held,
  (SELECT COALESCE(SUM(h.quantity), 0) FROM inventory_hold h
    JOIN inventory_capacitypool r ON r.id = h.pool_id
    JOIN bookings_bookingline l ON l.id = h.line_id
    JOIN bookings_booking b ON b.id = l.booking_id
    WHERE r.event_date_id = g.event_date_id AND r.reserve_id IS NOT NULL
      AND b.holds_capacity) AS drawn
FROM inventory_capacitypool g
WHERE g.event_date_id = %s AND g.reserve_id IS NULL AND g.ticket_type_id IS NULL
"""


def violations(date_id: int) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(INVARIANTS, [date_id])
        capacity, taken, set_aside, reserved, bad, off, general_held, drawn = cursor.fetchone()
    found = []
    if set_aside != reserved:
        found.append(f"set_aside {set_aside} != reserved {reserved}")
    if taken != general_held:
        found.append(f"taken {taken} != general holds {general_held}")
    if general_held + reserved > capacity:
        found.append(f"general sale ate reserved places: {general_held} + {reserved}")
    if general_held + drawn > capacity:
        found.append(f"oversold: {general_held} + {drawn} > {capacity}")
    if bad or off:
        found.append(f"{bad} reserve(s) overdrawn, {off} off their ledger")
    return found


def test_reserves_under_concurrency_never_oversell_nor_leak(org):
    date, ticket = on_sale(org, capacity=CAPACITY)
    owner = staff(org)
    manager = staff(org, Role.MANAGER)
    box_office = [staff(org, Role.AGENT) for _ in range(4)]
    web = [staff(org, Role.AGENT) for _ in range(3)]  # general sale, like the web shop
    press = create_reserve(org.id, actor=owner, name="Press")
    artists = create_reserve(
        org.id, actor=owner, name="Artists", cancelled_places_to=Reserve.CancelledPlaces.GENERAL
    )
    for reserve, places in ((press, 15), (artists, 10)):
        set_allocation(
            reserve.id,
            actor=owner,
            event_date_id=date.id,
            ticket_type_id=ticket.id,
            quantity=places,
        )
    outcomes: Counter[str] = Counter()
    failures: list[BaseException] = []
    seen: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(len(box_office) + len(web) + 2)
    done = threading.Event()

    def note(what: str) -> None:
        with lock:
            outcomes[what] += 1

    def run(body: Callable[[random.Random], None], seed: int) -> Callable[[], None]:
        def thread() -> None:
            rng = random.Random(seed)
            try:
                start.wait(timeout=30)
                body(rng)
            except BaseException as error:
                failures.append(error)
            finally:
                connection.close()

        return thread

    def booker(actor, reserves):  # type: ignore[no-untyped-def]
        def body(rng: random.Random) -> None:
            mine: list[int] = []
            for _ in range(ROUNDS):
                if mine and rng.random() < 0.25:
                    try:
                        actions.cancel_booking(
                            mine.pop(rng.randrange(len(mine))), actor=owner, reason="changed plans"
                        )
                        note("cancelled")
                    except CapacityBusy:
                        note("busy")
                    continue
                reserve = rng.choice(reserves)
                line = actions.LineRequest(
                    date.id,
                    ticket.id,
                    rng.randint(1, 2),
                    reserve_id=reserve.id if reserve else None,
                )
                try:
                    booking = actions.create_booking(
                        actor=actor,
                        organisation_id=org.id,
                        mode=rng.choice([State.CONFIRMED, State.OPTION]),
                        lines=[line],
                    )
                    mine.append(booking.id)
                    note("drawn" if reserve else "sold")
                except SoldOut:
                    note("sold_out")
                except CapacityBusy:
                    note("busy")

        return body

    def manage(rng: random.Random) -> None:
        for _ in range(ROUNDS * 2):
            reserve = rng.choice([press, artists])
            try:
                if rng.random() < 0.2:
                    release_places(
                        reserve.id,
                        actor=manager,
                        event_date_id=date.id,
                        ticket_type_id=ticket.id,
                        quantity=1,
                    )
                else:
                    set_allocation(
                        reserve.id,
                        actor=manager,
                        event_date_id=date.id,
                        ticket_type_id=ticket.id,
                        quantity=rng.randint(0, 25),
                    )
                note("resized")
            except (
                reserve_errors.NotEnoughFree,
                reserve_errors.BelowDrawn,
                reserve_errors.ReleaseTooMany,
            ) as refused:
                note(type(refused).__name__)
            except CapacityBusy:
                note("busy")

    def observe(rng: random.Random) -> None:
        while not done.is_set():
            if found := violations(date.id):
                seen.extend(found)
            note("observed")

    threads = (
        [
            threading.Thread(target=run(booker(actor, [press, artists]), seed))
            for seed, actor in enumerate(box_office)
        ]
        + [
            threading.Thread(target=run(booker(actor, [None]), 100 + seed))
            for seed, actor in enumerate(web)
        ]
        + [threading.Thread(target=run(manage, 200))]
    )
    observer = threading.Thread(target=run(observe, 300))
    for thread in [*threads, observer]:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    done.set()
    observer.join(timeout=30)
    assert not any(t.is_alive() for t in [*threads, observer]), "a thread hung"
    assert not failures, failures
    assert not seen, seen[:5]
    assert violations(date.id) == []
    assert reconcile() == []
    # The run reached every limit, so the checks above proved something.
    assert outcomes["drawn"] and outcomes["sold"] and outcomes["cancelled"], outcomes
    assert outcomes["sold_out"] and outcomes["resized"], outcomes
    assert outcomes["NotEnoughFree"] + outcomes["BelowDrawn"] > 0, outcomes
    assert outcomes["observed"] > 10, outcomes


def test_the_scheduled_release_runs_once_beside_bookings_and_cancellations(org):
    """Two workers release the same due reserve dates while staff book from and cancel into
    them: each reserve date is released exactly once, nothing deadlocks, and the ledger
    holds. Cancellations here return places to general sale, so they lock the date's pool
    and then the reserve's per-date row — the order the worker uses too."""
    owner = staff(org)
    agents = [staff(org, Role.AGENT) for _ in range(3)]
    press = create_reserve(org.id, actor=owner, name="Press")
    artists = create_reserve(
        org.id, actor=owner, name="Artists", cancelled_places_to=Reserve.CancelledPlaces.GENERAL
    )
    offers = [on_sale(org, capacity=40) for _ in range(4)]
    for date, ticket in offers:
        for reserve in (press, artists):
            set_allocation(
                reserve.id,
                actor=owner,
                event_date_id=date.id,
                ticket_type_id=ticket.id,
                quantity=10,
            )
            schedule_release(
                reserve.id,
                actor=owner,
                event_date_id=date.id,
                release_at=date.starts_at - timedelta(hours=48),
            )
    later = max(date.starts_at for date, _ in offers) - timedelta(hours=1)
    failures: list[BaseException] = []
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(len(agents) + 2)

    def note(what: str, n: int = 1) -> None:
        with lock:
            outcomes[what] += n

    def run(body: Callable[[random.Random], None], seed: int) -> threading.Thread:
        def thread() -> None:
            rng = random.Random(seed)
            try:
                start.wait(timeout=30)
                body(rng)
            except BaseException as error:
                failures.append(error)
            finally:
                connection.close()

        return threading.Thread(target=thread)

    def draw(actor, rng: random.Random) -> int:  # type: ignore[no-untyped-def]
        date, ticket = rng.choice(offers)
        line = actions.LineRequest(
            date.id, ticket.id, 1, reserve_id=rng.choice([press, artists]).id
        )
        return actions.create_booking(
            actor=actor, organisation_id=org.id, mode=State.CONFIRMED, lines=[line]
        ).id

    # Bookings to cancel while the workers release: each agent starts with some.
    drawn = {a: [draw(a, random.Random(i)) for _ in range(8)] for i, a in enumerate(agents)}

    def booker(actor):  # type: ignore[no-untyped-def]
        def body(rng: random.Random) -> None:
            mine = drawn[actor]
            for _ in range(ROUNDS):
                if mine and rng.random() < 0.5:
                    actions.cancel_booking(mine.pop(), actor=owner, reason="changed plans")
                    note("cancelled")
                    continue
                try:
                    mine.append(draw(actor, rng))
                    note("drawn")
                except (SoldOut, CapacityBusy) as refused:
                    note(type(refused).__name__)

        return body

    def worker(rng: random.Random) -> None:
        for _ in range(ROUNDS):
            # One reserve date per call, so releases spread among the cancellations.
            note("released", len(release_due_reserves(now=later, limit=1).released))

    threads = [run(booker(a), i) for i, a in enumerate(agents)]
    threads += [run(worker, 100), run(worker, 101)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    assert not failures, failures
    assert outcomes["released"] == 8, outcomes  # 4 dates × 2 reserves, once each
    assert OutboxMessage.objects.filter(topic="reserve.released").count() == 8
    assert AuditEntry.objects.filter(action="reserve.release_due").count() == 8
    assert not ReserveDate.objects.filter(released_at=None).exists()
    for date, _ in offers:
        assert violations(date.id) == []
    assert reconcile() == []
    assert outcomes["cancelled"] > 10, outcomes
