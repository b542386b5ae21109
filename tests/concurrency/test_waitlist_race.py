"""The waiting list under a crowd, on PostgreSQL: places freed by staff releasing options,
the worker's offer pass running in several threads at once, visitors trying to book the
freed places, staff selling some of them, people leaving the list.

Checked in SQL, sampled while the race runs and again at the end:
- never oversold, and each pool's `taken` equals what its holders hold;
- each place freed goes to at most one entry: every option the waiting list made belongs to
  exactly one entry (no orphan offer, no entry offered twice), and the places an entry was
  offered are what its option holds;
- visitors never get the places the list waits for (the gate in the engine's create);
- after a last pass, nobody who waits could be served from what is free;
- `reconcile` finds no drift.

The control makes the offer the naive way (the entry read without its lock, two passes
held at a barrier between the read and the write): the same entry is offered twice and an
orphan option holds places nobody was told about, so the same SQL checks fail.
"""

from __future__ import annotations

import random
import threading

import pytest
from django.db import connection
from django.utils import timezone

from tentative.bookings import actions as bookings
from tentative.inventory.capacity import reconcile
from tentative.inventory.models import CapacityPool
from tentative.shared.actor import Actor
from tentative.waitlist import actions, selectors
from tentative.waitlist.actions import offer as offer_module
from tentative.waitlist.errors import KeptForWaitingList, NotWaiting
from tentative.waitlist.models import WaitlistEntry
from tests.concurrency.threads import ACCEPTABLE, Sampler, pool_problems, race
from tests.factories import CustomerFactory, book, staff
from tests.waitlist.factories import full_date, join

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]

CAPACITY = 40
ENTRIES = 30
RELEASES = 24
PASSES = 24
VISITORS = 30
STAFF_SALES = 3
THREADS = 12
ACCEPT = (*ACCEPTABLE, KeptForWaitingList, NotWaiting)

# Every option made by the waiting list (an audit entry "waitlist.offer" on its booking)
# must be the offer of exactly one entry, which names it once: no orphan, no double offer.
ORPHANS_SQL = """
SELECT a.booking_id, a.data->>'entry'
  FROM audit_auditentry a
 WHERE a.action = 'waitlist.offer'
   AND NOT EXISTS (SELECT 1 FROM waitlist_waitlistentry e
                    WHERE e.offer_id = a.booking_id AND e.id = (a.data->>'entry')::int)
"""
TWICE_SQL = """
SELECT a.data->>'entry', COUNT(*) FROM audit_auditentry a
 WHERE a.action = 'waitlist.offer' GROUP BY a.data->>'entry' HAVING COUNT(*) > 1
"""
# An entry's offered places are what its option holds in the date's pool.
HOLDS_SQL = """
SELECT e.id, e.offered_quantity, COALESCE(SUM(h.quantity), 0)
  FROM waitlist_waitlistentry e
  JOIN bookings_booking b ON b.id = e.offer_id
  JOIN bookings_bookingline l ON l.booking_id = b.id
  LEFT JOIN inventory_hold h ON h.line_id = l.id AND b.holds_capacity
 WHERE e.state IN ('offered', 'accepted')
 GROUP BY e.id, e.offered_quantity
HAVING e.offered_quantity <> COALESCE(SUM(h.quantity), 0)
"""


def offer_problems(pool_id: int) -> list[str]:
    found = pool_problems(pool_id)
    with connection.cursor() as cursor:
        for sql, what in (
            (ORPHANS_SQL, "orphan offer"),
            (TWICE_SQL, "offered twice"),
            (HOLDS_SQL, "offer holds"),
        ):
            cursor.execute(sql)
            found.extend(f"{what}: {row}" for row in cursor.fetchall())
    return found


def crowd(org, *, strict: bool = True):  # type: ignore[no-untyped-def]
    date, ticket, held = full_date(org, capacity=CAPACITY)
    pool_id = CapacityPool.objects.get(event_date=date, ticket_type=None).id
    rng = random.Random(12)
    entries = [
        join(org, date, f"P{i}", quantity=rng.choice([1, 1, 2, 3]), partial=rng.random() < 0.3)
        for i in range(ENTRIES)
    ]
    desk = staff(org)
    customers = [Actor.customer(CustomerFactory(organisation=org)) for _ in range(VISITORS)]
    released = rng.sample(held, RELEASES)

    def offer_pass() -> int:
        now = timezone.now()
        return actions.settle_offers(now=now) + actions.offer_freed_places(now=now)

    tasks = [
        *(
            ("release", lambda b=b: bookings.cancel_booking(b.id, actor=desk, reason="r").id)
            for b in released
        ),
        *(("pass", offer_pass) for _ in range(PASSES)),
        *(("visitor", lambda c=c: book(c, date, ticket, quantity=1).id) for c in customers),
        *(("staff", lambda: book(desk, date, ticket, quantity=1).id) for _ in range(STAFF_SALES)),
        *(
            ("leave", lambda e=e: actions.leave_waitlist(e.token).id)
            for e in rng.sample(entries, 4)
        ),
    ]
    rng.shuffle(tasks)
    with Sampler(lambda: offer_problems(pool_id), strict=strict) as sampler:
        outcomes = race(tasks, threads=THREADS, accept=ACCEPT)
    return date, ticket, pool_id, outcomes, sampler


def test_freed_places_go_to_the_list_once_each_and_never_oversell(org):
    date, ticket, pool_id, outcomes, sampler = crowd(org)
    assert outcomes.unexpected == [], outcomes.unexpected[:3]
    assert sampler.samples > 5, "the sampler never really looked"
    assert outcomes.counts["ok:release"] == RELEASES
    # The list comes first: visitors were turned away by the gate, not only by a full date.
    assert outcomes.counts.get("ok:visitor", 0) == 0, outcomes.counts
    assert outcomes.counts["KeptForWaitingList"] > 0, outcomes.counts
    # A last pass, as the worker's next turn: then nobody waiting fits in what is free.
    now = timezone.now()
    actions.settle_offers(now=now)
    actions.offer_freed_places(now=now)
    assert offer_problems(pool_id) == []
    free = selectors.free_places(org.id, date.id, ticket.id, now=now)
    waiting = WaitlistEntry.objects.filter(event_date=date, state="waiting")
    assert not [e for e in waiting if e.quantity <= free or (e.accepts_partial and free)]
    offered = WaitlistEntry.objects.filter(event_date=date, state="offered")
    assert offered.exists()
    assert reconcile() == []
    print(dict(outcomes.counts), {"offers": offered.count(), "free": free})


def test_control_an_offer_without_the_entry_lock_offers_one_entry_twice(org, monkeypatch):
    """Two passes read the same waiting entry without its lock, meet at a barrier, then
    both offer it: the checks above see an orphan option and an entry offered twice."""
    meet = threading.Barrier(2, timeout=30)
    met = {"n": 0}
    lock = threading.Lock()

    def unlocked(actor, entry_id, **_):  # type: ignore[no-untyped-def]
        entry = WaitlistEntry.objects.get(id=entry_id)
        with lock:
            first_two = met["n"] < 2
            met["n"] += 1
        if first_two:
            meet.wait()
        return entry

    monkeypatch.setattr(offer_module, "access_entry", unlocked)
    date, _ticket, held = full_date(org, capacity=4)
    pool_id = CapacityPool.objects.get(event_date=date, ticket_type=None).id
    join(org, date, "Ana")
    join(org, date, "Ben")
    for booking in held[:3]:
        bookings.cancel_booking(booking.id, actor=staff(org), reason="r")
    now = timezone.now()
    outcomes = race(
        [("pass", lambda: actions.offer_freed_places(now=now)) for _ in range(2)],
        threads=2,
        accept=ACCEPT,
    )
    assert outcomes.unexpected == [], outcomes.unexpected[:3]
    problems = offer_problems(pool_id)
    assert any(p.startswith(("orphan offer", "offered twice")) for p in problems), problems
    # Clean up what the naive offer left, so the suite's drift check stays meaningful.
    assert reconcile() == []
