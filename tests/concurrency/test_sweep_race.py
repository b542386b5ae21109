"""The sweep against staff on the same options: never both expired and confirmed.

Each round books a handful of options, then at once: staff confirm or extend each of them
with a clock one minute before the deadline, while two sweeps run `expire_lapsed` with a
clock one second after it. Whoever locks a booking first decides; the loser must see the
new state (the sweep skips or re-checks a row staff hold; staff get IllegalTransition on an
expired booking). Checked in SQL after every round: each booking has exactly one decision
in its audit trail, its from/to states chain from the creation, its state is that
decision's, the outbox has one event per entry, and the pool equals what its holders hold.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tentative.audit.models import AuditEntry
from tentative.bookings import actions
from tentative.bookings.models import Booking
from tentative.core.states import State
from tentative.inventory.capacity import reconcile
from tentative.inventory.models import CapacityPool
from tentative.outbox.models import OutboxMessage
from tests.concurrency.threads import pool_problems, race
from tests.factories import book, on_sale, staff

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: row locks and SKIP LOCKED decide this race",
    ),
]

ROUNDS = 15
OPTIONS = 8
SWEEPS = 2
DECISION = {  # what staff did -> the state it leads to
    "confirm": State.CONFIRMED.value,
    "extend": State.OPTION.value,
    "expire": State.EXPIRED.value,
}


def test_the_sweep_and_staff_never_both_decide_an_option(org):
    date, ticket = on_sale(org, capacity=ROUNDS * OPTIONS)
    pool_id = CapacityPool.objects.get(event_date=date, ticket_type=None).id
    owner = staff(org)
    totals: Counter[str] = Counter()
    for _ in range(ROUNDS):
        options = [b.id for b in race_one_round(owner, date, ticket, totals)]
        assert pool_problems(pool_id) == [], options
    print(dict(totals))
    assert reconcile() == []
    # The race was real: both sides won some rounds.
    assert totals["ok:sweep"] == ROUNDS * SWEEPS
    assert totals["IllegalTransition"] > 0, totals
    assert totals["ok:confirm"] + totals["ok:extend"] > 0, totals


def race_one_round(owner, date, ticket, totals: Counter[str]) -> list[Booking]:  # type: ignore[no-untyped-def]
    booked_at = timezone.now()
    options = [book(owner, date, ticket, now=booked_at) for _ in range(OPTIONS)]
    deadline = options[0].deadline_enforced
    before, after = deadline - timedelta(minutes=1), deadline + timedelta(seconds=1)
    until = deadline + timedelta(days=2)
    swept: list[int] = []

    def sweep() -> None:
        swept.extend(actions.expire_lapsed(now=after))

    def decide(booking_id: int, verb: str) -> object:
        if verb == "confirm":
            return actions.confirm_booking(booking_id, actor=owner, now=before)
        return actions.extend_booking(booking_id, actor=owner, until=until, now=before)

    tasks = [("sweep", sweep) for _ in range(SWEEPS)] + [
        (verb, lambda b=b.id, verb=verb: decide(b, verb))
        for b, verb in zip(options, ["confirm", "extend"] * OPTIONS, strict=False)
    ]
    random.shuffle(tasks)  # which side reaches the database first varies from round to round
    outcome = race(tasks, threads=len(tasks))
    assert not outcome.unexpected, outcome.unexpected[:3]
    totals.update(outcome.counts)
    ids = [b.id for b in options]
    check_each_decided_once(ids, swept)
    assert outcome.counts["IllegalTransition"] == len(set(swept) & set(ids)), outcome.counts
    return options


def check_each_decided_once(ids: list[int], swept: list[int]) -> None:
    assert len(swept) == len(set(swept)), "two sweeps expired the same booking"
    entries: dict[int, list[tuple[str, str, str]]] = {i: [] for i in ids}
    for booking_id, action, source, target in AuditEntry.objects.filter(
        booking_id__in=ids
    ).values_list("booking_id", "action", "from_state", "to_state"):
        entries[booking_id].append((action, source, target))
    states = dict(Booking.objects.filter(id__in=ids).values_list("id", "state"))
    outbox = Counter(
        OutboxMessage.objects.filter(booking_id__in=ids).values_list("booking_id", flat=True)
    )
    for booking_id, trail in entries.items():
        assert len(trail) == 2, f"booking {booking_id}: {trail}"
        (created, _, first), (action, source, target) = trail
        assert (created, first, source) == ("create", "option", "option"), trail
        assert DECISION[action] == target == states[booking_id], (trail, states[booking_id])
        assert (action == "expire") == (booking_id in swept), trail
        assert outbox[booking_id] == 2, "one outbox event per audit entry"
