"""A room that sells places, under load (PostgreSQL, 16 threads): staff book places on its
sessions (the engine's `create_booking`, the capacity path tickets use: one conditional
UPDATE on the date's pool) while others change the places per session and the worker's
`sync_place_dates` runs again and again.

Afterwards, in SQL: no session has two dates (the sync locks the game's row, then reads the
dates again), no pool is oversold and every pool equals what its holders hold, and no pool
of a future date is below what it holds (`Greatest(places, taken + set_aside)`).
"""

from __future__ import annotations

import random

import pytest
from django.db import connection

from tentative.bookings import actions
from tentative.catalog.models import EventDate, TicketType
from tentative.core.states import State
from tentative.inventory.actions import sync_place_dates
from tentative.inventory.models import CapacityPool
from tests.concurrency.threads import Sampler, pool_problems, race
from tests.factories import CustomerFactory, staff
from tests.rooms.factories import escape_room, game, sell_places

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]

DUPLICATES = """
SELECT d.event_id, d.starts_at, count(*) FROM catalog_eventdate d
GROUP BY d.event_id, d.starts_at HAVING count(*) > 1
"""


def test_places_booked_while_the_setting_changes_and_the_sync_runs(org, settings):
    settings.ROOM_PLACES_HORIZON_DAYS = 3
    owner = staff(org)
    room = escape_room(org, owner, times="10:00 14:00")
    g = game(room)

    def set_places(places: int) -> None:
        sell_places(room, owner, places)
        sync_place_dates(g.id, actor=owner)

    set_places(6)
    g.refresh_from_db()
    dates = list(EventDate.objects.filter(event=g.places_event).order_by("starts_at"))[1:4]
    kinds = list(TicketType.objects.filter(event=g.places_event).order_by("id"))
    pools = list(
        CapacityPool.objects.filter(event_date__in=dates, ticket_type=None).values_list(
            "id", flat=True
        )
    )
    customer = CustomerFactory(organisation=org)
    rng = random.Random(14)

    def booking(date_id: int, kind_id: int, n: int):  # type: ignore[no-untyped-def]
        return lambda: (
            actions.create_booking(
                actor=owner,
                organisation_id=org.id,
                mode=rng.choice([State.CONFIRMED, State.OPTION]),
                customer_id=customer.id,
                lines=[
                    actions.LineRequest(event_date_id=date_id, ticket_type_id=kind_id, quantity=n)
                ],
            ).id
        )

    tasks = [
        ("book", booking(rng.choice(dates).id, rng.choice(kinds).id, rng.randint(1, 2)))
        for _ in range(180)
    ]
    tasks += [("places", lambda p=p: set_places(p)) for p in [3, 9, 4, 12] * 8]
    tasks += [("sync", lambda: sync_place_dates(g.id, actor=owner))] * 40
    rng.shuffle(tasks)

    def problems() -> list[str]:
        return [p for pool in pools for p in pool_problems(pool)]

    with Sampler(problems) as sampler:
        outcomes = race(tasks, threads=16)
    assert not outcomes.unexpected, outcomes.unexpected[:3]
    assert outcomes.counts["ok:book"] > 20 and outcomes.counts["ok:sync"] == 40, outcomes.counts
    assert sampler.samples > 5
    with connection.cursor() as cursor:
        cursor.execute(DUPLICATES)
        assert cursor.fetchall() == []
        cursor.execute(
            "SELECT count(*) FROM inventory_capacitypool WHERE taken + set_aside > capacity"
        )
        assert cursor.fetchone()[0] == 0
    assert problems() == []


def _first_syncs_at_once(org, settings):  # type: ignore[no-untyped-def]
    """16 syncs of a room just set to sell places, all at once: what dates are there?"""
    settings.ROOM_PLACES_HORIZON_DAYS = 5
    owner = staff(org)
    room = escape_room(org, owner, times="10:00 14:00")
    g = game(room)
    sell_places(room, owner, 8)
    outcomes = race([("sync", lambda: sync_place_dates(g.id, actor=owner))] * 16, threads=16)
    with connection.cursor() as cursor:
        cursor.execute(DUPLICATES)
        return outcomes, cursor.fetchall()


def test_syncs_at_once_make_each_session_once(org, settings):
    outcomes, duplicates = _first_syncs_at_once(org, settings)
    assert not outcomes.unexpected and outcomes.counts["ok:sync"] == 16
    assert duplicates == []
    assert sum(1 for r in outcomes.results if r.added) == 1  # one made them, the rest saw them


def test_control_without_the_games_lock_syncs_make_sessions_twice(org, settings, monkeypatch):
    from django.db.models import QuerySet

    module = __import__(
        "tentative.inventory.actions.sync_place_dates", fromlist=["sync_place_dates"]
    )
    real = QuerySet.select_for_update

    def unlocked(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.model is module.Service:
            return self
        return real(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", unlocked)
    _outcomes, duplicates = _first_syncs_at_once(org, settings)
    assert duplicates, "without the lock, concurrent syncs should have made a session twice"
