"""Issue 14 item 8: visitors booking room sessions online race each other and the staff.

One room, its five sessions of one day contested. At once on 16 threads: visitors book
through the public verb (`book_session_online`, each with their own email, some already
customers), staff book FIRM and OPTION from the planning (`book_session`), visitors cancel
what they booked. A sampler reads the database all along.

Afterwards, in SQL: no session holds two blocking bookings, no two active claims of the
room overlap, every claim is active exactly when its booking holds, and no customer was
left behind by a refused online booking (a visitor whose booking lost has no customer
record: the customer is created in the booking's transaction). `reconcile` finds no drift
(the autouse fixture).

The control drops the exclusion constraint and reduces `claims.activate` to its UPDATE
(`unprotected`, as the staff race's control): the same crowd then puts two groups in one
session, which the same SQL finds — the test can fail.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from typing import Any

import pytest

from tentative.accounts.models import Customer
from tentative.bookings import actions
from tentative.bookings.errors import IllegalTransition, SlotTaken, TooManyOpen
from tentative.bookings.models import Booking
from tentative.core.states import State
from tentative.shared.actor import Actor
from tentative.shared.errors import CapacityBusy
from tests.concurrency.test_room_sessions_race import DOUBLE_SQL, problems
from tests.concurrency.test_time_claim_race import DISAGREE_SQL, OVERLAPS_SQL, rows, unprotected
from tests.concurrency.threads import Outcomes, Sampler, race
from tests.conftest import on_postgres
from tests.factories import CustomerFactory, staff
from tests.rooms.factories import escape_room, in_days, prices

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 16
ACCEPT = (SlotTaken, CapacityBusy, IllegalTransition, TooManyOpen)
CUSTOMER = Customer._meta.db_table
BOOKING = Booking._meta.db_table
# Visitors' customer records without any booking: a refused booking left one behind.
LEFT_BEHIND_SQL = f"""
SELECT c.id FROM {CUSTOMER} c
 WHERE c.email LIKE 'visitor-%%'
   AND NOT EXISTS (SELECT 1 FROM {BOOKING} b WHERE b.customer_id = c.id)
"""


def crowd(org, *, strict: bool) -> tuple[Outcomes, Sampler]:  # type: ignore[no-untyped-def]
    rng = random.Random(8)
    owner = staff(org)
    room = escape_room(org, owner, "The Vault")
    adult, child = prices(room)
    regulars = [CustomerFactory(organisation=org) for _ in range(4)]
    contested = [in_days(org, 9, t) for t in ("10:00", "11:30", "14:00", "15:30", "17:00")]
    booked: list[int] = []
    mine = threading.Lock()

    def visitor_books(n: int) -> Callable[[], Any]:
        start = rng.choice(contested)
        counts = {adult: rng.randint(2, 4), child: rng.randint(0, 2)}
        known = rng.random() < 0.2
        email = rng.choice(regulars).email if known else f"visitor-{n}@example.org"

        def call() -> int:
            booking = actions.book_session_online(
                actor=Actor.visitor(org.id),
                organisation_id=org.id,
                room_id=room.id,
                starts_at=start,
                players=counts,
                contact=actions.Contact(name=f"Visitor {n}", email=email, language="en"),
            )
            with mine:
                booked.append(booking.id)
            return booking.id

        return call

    def staff_books() -> Callable[[], Any]:
        start = rng.choice(contested)
        mode = rng.choice([State.CONFIRMED, State.OPTION])
        return lambda: (
            actions.book_session(
                actor=owner,
                organisation_id=org.id,
                room_id=room.id,
                starts_at=start,
                players={adult: 3},
                mode=mode,
                customer_id=rng.choice(regulars).id,
                notify=False,
            ).id
        )

    def visitor_cancels() -> Callable[[], Any]:
        def call() -> int:
            with mine:  # each booking cancelled once (a second cancel is a refusal)
                if not booked:
                    raise SlotTaken()  # nothing booked yet: counted with the lost races
                chosen = booked.pop(rng.randrange(len(booked)))
            booking = Booking.objects.select_related("customer").get(id=chosen)
            return actions.cancel_booking(booking.id, actor=Actor.customer(booking.customer)).id

        return call

    tasks = [("visitor", visitor_books(n)) for n in range(70)]
    tasks += [("staff", staff_books()) for _ in range(25)]
    tasks += [("cancel", visitor_cancels()) for _ in range(15)]
    rng.shuffle(tasks)
    with Sampler(problems, strict=strict) as sampler:
        outcome = race(tasks, threads=THREADS, accept=ACCEPT)
    return outcome, sampler


@on_postgres
def test_visitors_online_and_staff_never_put_two_groups_in_one_session(org):
    outcome, sampler = crowd(org, strict=True)
    counts = outcome.counts
    print(dict(counts), f"samples={sampler.samples}")
    assert not outcome.unexpected, outcome.unexpected[:3]
    assert rows(DOUBLE_SQL) == []
    assert rows(OVERLAPS_SQL) == []
    assert rows(DISAGREE_SQL) == []
    assert rows(LEFT_BEHIND_SQL) == []
    assert sampler.samples >= 5
    for won in ("ok:visitor", "ok:staff", "ok:cancel"):
        assert counts[won] > 0, counts
    assert counts["SlotTaken"] > 0, counts


@on_postgres
def test_control_without_the_constraint_and_the_check_online_visitors_share_a_session(org):
    with unprotected():
        outcome, sampler = crowd(org, strict=False)
        doubled = rows(DOUBLE_SQL)
    print(dict(outcome.counts), f"doubled sessions={len(doubled)}", f"bad={sampler.bad_samples}")
    assert not outcome.unexpected, outcome.unexpected[:3]
    assert len(doubled) > 0, "with nothing protecting it, the crowd must double-book a session"
