"""Staff change a date's capacity while customers book it (issue 11 item 2, PostgreSQL).

`set_capacity` locks the date's pool (`FOR NO KEY UPDATE`, the lock a booking's conditional
UPDATE also takes) and only then compares the new capacity with what is taken: a booking
that commits meanwhile is either counted, or waits and then meets the new capacity. So a
squeeze to "taken + 1" while 16 threads book is refused cleanly (`CapacityBelowTaken`) or
applied, never oversold, never an IntegrityError. The control reads the pool without the
lock: the same race then trips the database's `pool_not_oversold` constraint (a 500).
"""

from __future__ import annotations

import importlib
import random

import pytest
from django.db import IntegrityError

from tentative.core.states import State
from tentative.inventory import actions
from tentative.inventory.errors import CapacityBelowTaken
from tentative.inventory.models import CapacityPool
from tests.concurrency.threads import ACCEPTABLE, Sampler, pool_problems, race
from tests.factories import book, on_sale, staff

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def contest(org, *, threads: int = 16):  # type: ignore[no-untyped-def]
    date, ticket = on_sale(org, capacity=40)
    pool_id = CapacityPool.objects.get(event_date=date, ticket_type=None).id
    owner = staff(org)

    def taken() -> int:
        return CapacityPool.objects.values_list("taken", flat=True).get(id=pool_id)

    def squeeze() -> None:
        actions.set_capacity(date.id, actor=owner, capacity=taken() + 1)

    def reopen() -> None:
        actions.set_capacity(date.id, actor=owner, capacity=taken() + 30)

    tasks = [("book", lambda: book(owner, date, ticket, mode=State.CONFIRMED).id)] * 300
    tasks += [("squeeze", squeeze)] * 150 + [("reopen", reopen)] * 30
    random.Random(11).shuffle(tasks)
    with Sampler(lambda: pool_problems(pool_id)) as sampler:
        outcomes = race(tasks, threads=threads, accept=(*ACCEPTABLE, CapacityBelowTaken))
    assert sampler.samples > 10
    return outcomes


def test_capacity_changes_while_16_threads_book_never_oversell_nor_crash(org):
    outcomes = contest(org)
    assert not outcomes.unexpected, outcomes.unexpected[:3]
    assert outcomes.counts["ok:book"] > 30 and outcomes.counts["ok:squeeze"] > 0, outcomes.counts


def test_control_without_the_pool_lock_a_squeeze_trips_the_database(org, monkeypatch):
    class Unlocked:
        def __init__(self, manager):  # type: ignore[no-untyped-def]
            self.manager = manager

        def select_for_update(self, **_):  # type: ignore[no-untyped-def]
            return self.manager.all()

        def __getattr__(self, name):  # type: ignore[no-untyped-def]
            return getattr(self.manager, name)

    # The module, not the function of the same name that `inventory.actions` exports.
    module = importlib.import_module("tentative.inventory.actions.set_capacity")
    monkeypatch.setattr(
        module,
        "CapacityPool",
        type("P", (), {"objects": Unlocked(CapacityPool.objects)}),
    )
    outcomes = contest(org)
    assert any(isinstance(e, IntegrityError) for e in outcomes.unexpected), outcomes.counts
