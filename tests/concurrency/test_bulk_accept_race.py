"""Issue 11 item 4 under a crowd (PostgreSQL): 500 pending requests on a date with 300
free places, accepted at once by one bulk decision while customers book the same date
from 16 threads.

- never oversold: a sampler reads the pool in SQL all along (taken + set aside <= capacity,
  taken = what the holders hold), and again at the end;
- every request's outcome is reported, and is what SQL says of it (accepted: confirmed and
  holding; no places: still a request, holding nothing);
- the date ends exactly full (demand exceeds supply), and `reconcile` finds no drift.

The control takes the places the way a naive bulk action would (free places read without
the pool's lock, then added unconditionally), with the database's own `pool_not_oversold`
check dropped; customers book between that read and the write, and the same SQL checks
find the date oversold, so the test can fail.
"""

from __future__ import annotations

import random
import threading

import pytest
from django.db import connection

from tentative.bookings import actions
from tentative.bookings.actions import Decision, Outcome
from tentative.core.states import State
from tentative.inventory import capacity
from tentative.inventory.capacity import reconcile
from tentative.inventory.models import CapacityPool
from tests.concurrency.threads import Sampler, pool_figures, pool_problems, race
from tests.factories import TicketTypeFactory, book, on_sale, staff

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]

FREE = 300
REQUESTS = 500
CUSTOMERS = 400
THREADS = 16


def setup(org):  # type: ignore[no-untyped-def]
    date, walk_in = on_sale(org, capacity=FREE)
    on_request = TicketTypeFactory(
        event=date.event, requires_approval=True, requests_hold_capacity=False
    )
    owner = staff(org)
    pending = [book(owner, date, on_request, mode=State.REQUEST) for _ in range(REQUESTS)]
    pool_id = CapacityPool.objects.get(event_date=date, ticket_type=None).id
    return date, walk_in, owner, [b.id for b in pending], pool_id


def crowd(org, *, sampler_strict: bool = True):  # type: ignore[no-untyped-def]
    date, walk_in, owner, pending, pool_id = setup(org)
    rng = random.Random(11)
    modes = [rng.choice([State.OPTION, State.CONFIRMED]) for _ in range(CUSTOMERS)]
    tasks = [
        ("customer", lambda mode=mode: book(owner, date, walk_in, mode=mode).id) for mode in modes
    ]
    bulk = (
        "bulk",
        lambda: actions.decide_requests(pending, decision=Decision.ACCEPT, actor=owner),
    )
    tasks.insert(60, bulk)  # while customers are booking
    with Sampler(lambda: pool_problems(pool_id), strict=sampler_strict) as sampler:
        outcomes = race(tasks, threads=THREADS + 1)
    return outcomes, sampler, pending, pool_id


OUTCOMES_SQL = """
SELECT b.id, b.state, b.holds_capacity FROM bookings_booking b WHERE b.id = ANY(%s)
"""


def test_500_requests_accepted_while_16_threads_book_never_oversell(org):
    outcomes, sampler, pending, pool_id = crowd(org)
    assert not outcomes.unexpected, outcomes.unexpected[:3]
    assert sampler.samples >= 10, f"the sampler barely looked: {sampler.samples}"
    decided = next(r for r in outcomes.results if isinstance(r, list))
    # Every request has its outcome, one each.
    assert sorted(d.booking_id for d in decided) == sorted(pending)
    by_outcome = {d.booking_id: d.outcome for d in decided}
    assert set(by_outcome.values()) <= {Outcome.ACCEPTED, Outcome.NO_PLACES}
    with connection.cursor() as cursor:
        cursor.execute(OUTCOMES_SQL, [pending])
        in_sql = {row[0]: row[1:] for row in cursor.fetchall()}
    for booking_id, outcome in by_outcome.items():
        expected = ("confirmed", True) if outcome == Outcome.ACCEPTED else ("request", False)
        assert in_sql[booking_id] == expected, (booking_id, outcome, in_sql[booking_id])
    accepted = sum(o == Outcome.ACCEPTED for o in by_outcome.values())
    customers = outcomes.counts["ok:customer"]
    cap, taken, set_aside, held = pool_figures(pool_id)
    assert taken + set_aside <= cap and taken == held
    # Demand (900) exceeds supply (300): the date is exactly full, and shared.
    assert taken == FREE == accepted + customers, (accepted, customers, dict(outcomes.counts))
    assert outcomes.counts["SoldOut"] + outcomes.counts["CapacityBusy"] == CUSTOMERS - customers
    assert reconcile() == []
    print({"accepted": accepted, "customers": customers, **dict(outcomes.counts)})


def test_control_without_the_pool_lock_the_date_is_oversold(org, monkeypatch):
    """Free places read without the lock, then added unconditionally; customers book in
    between (made certain: the read waits until 20 more customer bookings committed)."""
    progressed = threading.Event()
    made = {"n": 0, "since": None}
    lock = threading.Lock()
    real_book = book

    def naive_take(wanted):  # type: ignore[no-untyped-def]
        free = capacity.free_of(p for pairs in wanted for p, _ in pairs)
        with lock:
            made["since"] = made["n"]
        assert progressed.wait(timeout=60), "customers never booked during the control"
        given: dict[int, int] = {}
        got = []
        for pairs in wanted:
            fits = all(free[p] - given.get(p, 0) >= n for p, n in pairs)
            if fits:
                for p, n in pairs:
                    given[p] = given.get(p, 0) + n
            got.append(fits)
        with connection.cursor() as cursor:
            for pool_id, n in sorted(given.items()):
                cursor.execute(
                    "UPDATE inventory_capacitypool SET taken = taken + %s WHERE id = %s",
                    [n, pool_id],
                )
        return got

    def counting_book(*args, **kwargs):  # type: ignore[no-untyped-def]
        booking = real_book(*args, **kwargs)
        with lock:
            made["n"] += 1
            if made["since"] is not None and made["n"] - made["since"] >= 20:
                progressed.set()
        return booking

    monkeypatch.setattr(capacity, "take_what_fits", naive_take)
    monkeypatch.setitem(globals(), "book", counting_book)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE inventory_capacitypool DROP CONSTRAINT pool_not_oversold")
    try:
        outcomes, sampler, _, pool_id = crowd(org, sampler_strict=False)
        cap, taken, set_aside, held = pool_figures(pool_id)
    finally:
        with connection.cursor() as cursor:
            # The constraint back: first a capacity that holds what was (over)sold, so the
            # ledger stays exact for the drift check after the test.
            cursor.execute(
                "UPDATE inventory_capacitypool SET capacity = taken + set_aside "
                "WHERE capacity < taken + set_aside"
            )
            cursor.execute(
                "ALTER TABLE inventory_capacitypool ADD CONSTRAINT pool_not_oversold "
                "CHECK (capacity >= taken + set_aside)"
            )
    assert not outcomes.unexpected, outcomes.unexpected[:3]
    assert taken + set_aside > cap, (cap, taken, dict(outcomes.counts))
    assert sampler.bad_samples > 0 and any("oversold" in p for p in sampler.problems)
    print({"capacity": cap, "taken": taken, **dict(outcomes.counts)})
    assert taken == held  # the ledger itself is exact: the pool is what overflowed
