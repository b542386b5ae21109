"""DESIGN §2.2 #1 under a crowd: one date with 100 places, 500 candidates, many threads.

Three phases on the same date, a sampler reading the pool in SQL all along:
1. create only (options, firm bookings and requests that hold places), 250 candidates for
   100 places: exactly 100 are taken, the other 150 are told SoldOut;
2. mixed: 100 more candidates create while staff cancel, decline and expire bookings of
   phase 1 (often the wrong verb for the booking's state, or a booking already released
   by another thread: IllegalTransition) and the sweep runs with a clock past every
   option's deadline;
3. create only again, 150 candidates: the date is exactly full again, which proves every
   release of phase 2 gave its places back, once.
At every sample taken + set_aside <= capacity and taken equals what the holders hold; at
the end `reconcile()` finds no drift and the only refusals were SoldOut, IllegalTransition
or CapacityBusy.

PostgreSQL with 64 threads (row locks, real parallelism); SQLite with 16 threads, where
IMMEDIATE transactions queue writers and no "database is locked" may reach a caller.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tentative.bookings import actions
from tentative.bookings.models import Booking
from tentative.core.states import State
from tentative.inventory.capacity import reconcile
from tentative.inventory.models import CapacityPool
from tests.concurrency.threads import Outcomes, Sampler, pool_figures, pool_problems, race
from tests.factories import book, on_sale, staff

pytestmark = pytest.mark.django_db(transaction=True)

CAPACITY = 100
MODES = [State.OPTION, State.CONFIRMED, State.REQUEST]


def creates(owner, date, ticket, count: int, label: str):  # type: ignore[no-untyped-def]
    return [
        (label, lambda mode=MODES[i % 3]: book(owner, date, ticket, mode=mode).id)
        for i in range(count)
    ]


def crowd(org, *, threads: int) -> dict[str, Outcomes]:  # type: ignore[no-untyped-def]
    date, ticket = on_sale(org, capacity=CAPACITY, requests_hold_capacity=True)
    pool_id = CapacityPool.objects.get(event_date=date, ticket_type=None).id
    owner = staff(org)
    rng = random.Random(2)
    phases: dict[str, Outcomes] = {}
    with Sampler(lambda: pool_problems(pool_id)) as sampler:
        phases["create"] = race(creates(owner, date, ticket, 250, "create"), threads=threads)
        assert pool_figures(pool_id)[1] == CAPACITY, "demand exceeded supply: the date is full"

        booked = phases["create"].results
        later = timezone.now() + timedelta(days=10)  # past every option's 5-day deadline

        def release(verb: str, booking_id: int) -> object:
            if verb == "cancel":
                return actions.cancel_booking(booking_id, actor=owner, reason="changed plans")
            if verb == "decline":
                return actions.decline_booking(booking_id, actor=owner)
            if verb == "expire":
                return actions.expire_booking(booking_id, actor=owner)
            return actions.expire_lapsed(now=later)

        verbs = rng.choices(["cancel", "decline", "expire", "sweep"], [8, 4, 4, 1], k=100)
        releases = [
            (verb, lambda verb=verb, booking_id=booking_id: release(verb, booking_id))
            for verb, booking_id in zip(verbs, rng.choices(booked, k=100), strict=True)
        ]
        mixed = creates(owner, date, ticket, 100, "create") + releases
        rng.shuffle(mixed)
        phases["mixed"] = race(mixed, threads=threads)

        phases["refill"] = race(creates(owner, date, ticket, 150, "create"), threads=threads)
    assert sampler.samples >= 10, f"the sampler barely looked: {sampler.samples} samples"
    return phases


def check(phases: dict[str, Outcomes], org) -> None:  # type: ignore[no-untyped-def]
    for name, outcome in phases.items():
        assert not outcome.unexpected, (name, outcome.unexpected[:3])
    first = phases["create"].counts
    # CapacityBusy (a lock timeout) is an acceptable answer, but it must stay rare.
    assert first["ok:create"] == CAPACITY, first
    assert first["SoldOut"] + first["CapacityBusy"] == 250 - CAPACITY, first
    assert first["SoldOut"] > 0
    mixed = phases["mixed"].counts
    assert mixed["IllegalTransition"] > 0 and mixed["ok:cancel"] > 0, mixed
    refill = phases["refill"].counts
    assert refill["SoldOut"] > 0, f"the refill did not exceed supply: {refill}"
    held = Booking.objects.filter(organisation=org, holds_capacity=True).count()
    assert held == CAPACITY, "the date is exactly full again after the refill"
    assert reconcile() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="64 threads need PostgreSQL")
def test_64_threads_never_oversell_and_fill_the_date_exactly(org):
    phases = crowd(org, threads=64)
    check(phases, org)
    print({name: dict(outcome.counts) for name, outcome in phases.items()})


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite variant of the crowd")
def test_16_threads_on_sqlite_queue_and_never_see_a_locked_database(org):
    phases = crowd(org, threads=16)
    check(phases, org)  # any OperationalError ("database is locked") counts as unexpected
    print({name: dict(outcome.counts) for name, outcome in phases.items()})
