"""DESIGN §2.2 #6 under a crowd: lapsed options never block new bookings, sweep or no sweep.

A date is full of 100 one-place options whose enforced limit has passed; no sweep has run.
Then 64 threads at once make 100 new bookings at a later `now`. They meet a full pool and
must reclaim lapsed options inline, while the others do the same on the same rows: a
reclaimer that finds them locked must wait for the one expiring them, not answer SoldOut
(that bug gave 1 to 78 bookings out of 100 before it was fixed). Every one must succeed
(demand equals what the lapsed options free: a single SoldOut is a lapsed option blocking
a booking), the 100 old options must all end expired, each with exactly one audit entry,
and the ledger must balance.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tentative.audit.models import AuditEntry
from tentative.bookings.models import Booking
from tentative.core.states import State
from tentative.inventory.capacity import reconcile
from tentative.inventory.models import CapacityPool
from tests.concurrency.threads import Sampler, pool_figures, pool_problems, race
from tests.factories import book, on_sale, staff

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent reclaimers contend for the same locked rows",
    ),
]

CAPACITY = 100
THREADS = 64


def test_64_threads_reclaim_lapsed_options_inline_and_fill_the_date(org):
    date, ticket = on_sale(org, capacity=CAPACITY)
    pool_id = CapacityPool.objects.get(event_date=date, ticket_type=None).id
    owner = staff(org)
    booked_at = timezone.now()
    lapsing = [book(owner, date, ticket, now=booked_at) for _ in range(CAPACITY)]
    assert pool_figures(pool_id)[1] == CAPACITY
    later = max(b.deadline_enforced for b in lapsing) + timedelta(minutes=1)

    tasks = [
        ("create", lambda: book(owner, date, ticket, mode=State.CONFIRMED, now=later).id)
        for _ in range(CAPACITY)
    ]
    with Sampler(lambda: pool_problems(pool_id)) as sampler:
        outcome = race(tasks, threads=THREADS)

    assert not outcome.unexpected, outcome.unexpected[:3]
    print(dict(outcome.counts), f"samples={sampler.samples}")
    assert outcome.counts["ok:create"] == CAPACITY, outcome.counts
    assert pool_figures(pool_id)[1] == CAPACITY
    old = Booking.objects.filter(id__in=[b.id for b in lapsing])
    assert set(old.values_list("state", flat=True)) == {State.EXPIRED.value}
    assert not old.filter(holds_capacity=True).exists()
    expiries = Counter(
        AuditEntry.objects.filter(booking__in=old, action="expire").values_list(
            "booking_id", flat=True
        )
    )
    assert set(expiries.values()) == {1} and len(expiries) == CAPACITY, "one entry each"
    assert reconcile() == []
