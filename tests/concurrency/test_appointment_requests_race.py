"""Issue 13: no double booking of a staff member while customers request and book
overlapping times, with both settings of *several clients may request the same slot*, and
staff approve (declining the rival requests), accept in bulk (the desk's bulk decision, which
declines rivals the same way), reschedule, decline and cancel at once.

One staff member with working hours (Europe/Paris), three services on her time: one whose
requests hold the slot (*several may request* off), one whose requests hold nothing (on),
and one booked directly. Customers request and book sixteen overlapping start times (every
half hour, an hour long, on the service's grid); staff confirm bookings directly, approve
requests (each approval declines the other requests for its time, in its transaction),
reschedule bookings into and out of the contested times, decline and cancel. Afterwards,
in SQL: no two active claims of the staff member overlap, every claim is active exactly
when its booking holds, and no request approved left a rival pending that overlaps it and
was created before the approval.

The control runs the same crowd with the database's rule and the engine's check removed
(tests/concurrency/test_time_claim_race.py `unprotected`): the SQL must find overlaps.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tentative.bookings import actions
from tentative.bookings.actions.move import SAME_PLACE
from tentative.bookings.errors import IllegalTransition, SlotTaken, UnbookableTime
from tentative.bookings.models import Booking
from tentative.core.states import State
from tentative.inventory.models import TimeClaim
from tentative.shared.actor import Actor
from tentative.shared.errors import CapacityBusy, InvalidInput
from tests.appointments.factories import working_hours
from tests.concurrency.test_time_claim_race import (
    DISAGREE_SQL,
    OVERLAPS_SQL,
    problems,
    rows,
    unprotected,
)
from tests.concurrency.threads import Sampler, race
from tests.conftest import on_postgres
from tests.factories import CustomerFactory, service, staff, staff_member

pytestmark = pytest.mark.django_db(transaction=True)

ACCEPT = (SlotTaken, IllegalTransition, CapacityBusy, InvalidInput)
PARIS = ZoneInfo("Europe/Paris")
THREADS = 16

# A request still pending whose time overlaps an active claim that was approved after the
# request was made: approving must have declined it.
RIVALS_LEFT_SQL = f"""
SELECT r.id, w.id
  FROM {Booking._meta.db_table} r
  JOIN bookings_bookingline rl ON rl.booking_id = r.id
  JOIN {TimeClaim._meta.db_table} rc ON rc.line_id = rl.id
  JOIN {TimeClaim._meta.db_table} wc ON wc.resource_id = rc.resource_id AND wc.active
   AND wc.starts_at < rc.ends_at AND rc.starts_at < wc.ends_at
  JOIN bookings_bookingline wl ON wl.id = wc.line_id
  JOIN {Booking._meta.db_table} w ON w.id = wl.booking_id
  JOIN audit_auditentry a ON a.booking_id = w.id AND a.action = 'approve'
 WHERE r.state = 'request' AND NOT r.holds_capacity AND r.created_at < a.at
   AND r.id <> w.id
"""

BULK = "accepted in bulk"
DECLINED_BY_BULK_SQL = f"""
SELECT r.id
  FROM {Booking._meta.db_table} r
  JOIN audit_auditentry d ON d.booking_id = r.id AND d.action = 'decline'
  JOIN {Booking._meta.db_table} w ON w.reference = d.data ->> 'because_of'
  JOIN audit_auditentry a ON a.booking_id = w.id AND a.action = 'approve'
   AND a.reason = '{BULK}'
 WHERE r.state = 'declined'
"""


def only_expected(call: Callable[[], Any]) -> Callable[[], Any]:
    def run() -> Any:
        try:
            return call()
        except UnbookableTime as refused:  # every time used here is bookable
            raise AssertionError(f"unexpected refusal: {refused.text}") from refused
        except InvalidInput as refused:
            if refused.message is SAME_PLACE:
                raise
            raise AssertionError(f"unexpected InvalidInput: {refused.text}") from refused

    return run


def crowd(org, *, threads: int, strict: bool):  # type: ignore[no-untyped-def]
    rng = random.Random(13)
    owner = staff(org)
    alice = working_hours(
        staff_member(org, "Alice"), weekdays=range(7), ranges=[(time(8), time(20))]
    )
    grid = {"slot_step": timedelta(minutes=30), "horizon_days": 60}
    holding = service(
        org, alice, requires_approval=True, approval_note="x", requests_hold_capacity=True, **grid
    )
    several = service(
        org, alice, requires_approval=True, approval_note="x", requests_hold_capacity=False, **grid
    )
    direct = service(org, alice, buffer_after=timedelta(minutes=10), **grid)
    customers = [Actor.customer(CustomerFactory(organisation=org)) for _ in range(6)]

    day = datetime.now(PARIS).replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(
        days=10
    )
    contested = [day + timedelta(minutes=30 * k) for k in range(16)]
    away = iter(day + timedelta(days=2 + i // 5, hours=2 * (i % 5)) for i in range(200))

    # Before the race: open requests of both kinds, and bookings that will move.
    seeded = [
        actions.create_booking(
            actor=rng.choice(customers),
            organisation_id=org.id,
            mode=State.REQUEST,
            lines=[actions.SlotRequest(offer.id, alice.id, rng.choice(contested))],
        ).id
        for offer in [several] * 12
    ]
    movers = [
        actions.create_booking(
            actor=owner,
            organisation_id=org.id,
            mode=State.CONFIRMED,
            lines=[actions.SlotRequest(direct.id, alice.id, next(away))],
        ).id
        for _ in range(8)
    ]
    requests = list(seeded)
    # Pairs of rival requests on a day nothing else in the race touches, each accepted by
    # one bulk decision racing the rest on the staff member's lock: each must decline its
    # rival, whatever the interleaving.
    pairs = [
        [
            actions.create_booking(
                actor=rng.choice(customers),
                organisation_id=org.id,
                mode=State.REQUEST,
                lines=[actions.SlotRequest(several.id, alice.id, day + timedelta(days=1, hours=h))],
            ).id
            for _ in range(2)
        ]
        for h in range(4)
    ]

    def request() -> Callable[[], Any]:
        offer = rng.choice([holding, several, several])
        who, start = rng.choice(customers), rng.choice(contested)

        def call() -> int:
            made = actions.create_booking(
                actor=who,
                organisation_id=org.id,
                mode=State.REQUEST,
                lines=[actions.SlotRequest(offer.id, alice.id, start)],
            )
            requests.append(made.id)
            return made.id

        return call

    def book() -> Callable[[], Any]:
        start = rng.choice(contested)
        return lambda: (
            actions.create_booking(
                actor=owner,
                organisation_id=org.id,
                mode=State.CONFIRMED,
                lines=[actions.SlotRequest(direct.id, alice.id, start)],
            ).id
        )

    def pending() -> list[int]:
        # Those still waiting when the task starts (a read without lock: it may be decided
        # by the time the call locks it, which the call then reports).
        waiting = Booking.objects.filter(id__in=list(requests), state=State.REQUEST.value)
        return list(waiting.values_list("id", flat=True)) or requests

    def approve() -> Callable[[], Any]:
        def call() -> int:
            return actions.approve_booking(rng.choice(pending()), actor=owner).id

        return call

    def bulk() -> Callable[[], Any]:
        # The desk's bulk accept: a few requests at once, racing the single approvals.
        def call() -> int:
            waiting = pending()
            picked = rng.sample(waiting, k=min(3, len(waiting)))
            decided = actions.decide_requests(
                picked, decision=actions.Decision.ACCEPT, actor=owner, message=BULK
            )
            return sum(d.outcome == actions.Outcome.ACCEPTED for d in decided)

        return call

    def bulk_pair(pair: list[int]) -> Callable[[], Any]:
        def call() -> int:
            decided = actions.decide_requests(
                pair[:1], decision=actions.Decision.ACCEPT, actor=owner, message=BULK
            )
            return sum(d.outcome == actions.Outcome.ACCEPTED for d in decided)

        return call

    def decline() -> Callable[[], Any]:
        def call() -> int:
            return actions.decline_booking(rng.choice(requests), actor=owner, reason="no").id

        return call

    def reschedule() -> Callable[[], Any]:
        booking_id = rng.choice(movers + requests[:12])
        start = rng.choice(rng.choices([contested, [next(away)]], [3, 2])[0])
        to = actions.Destination(starts_at=start)
        return lambda: (
            actions.move_booking(
                booking_id, actor=owner, to=to, reason="private note", message="New time"
            ).id
        )

    def cancel() -> Callable[[], Any]:
        def call() -> int:
            return actions.cancel_booking(
                rng.choice(movers + requests), actor=owner, reason="changed plans"
            ).id

        return call

    mix = {
        "request": [request] * 80,
        "book": [book] * 30,
        "approve": [approve] * 40,
        "bulk": [bulk] * 10,
        "decline": [decline] * 8,
        "reschedule": [reschedule] * 30,
        "cancel": [cancel] * 10,
    }
    tasks = [(label, only_expected(make())) for label, makers in mix.items() for make in makers]
    tasks += [("bulk", only_expected(bulk_pair(pair))) for pair in pairs]
    rng.shuffle(tasks)
    with Sampler(problems, strict=strict) as sampler:
        outcome = race(tasks, threads=threads, accept=ACCEPT)
    return outcome, sampler


@on_postgres
def test_requests_bookings_approvals_and_reschedules_never_double_book(org):
    outcome, sampler = crowd(org, threads=THREADS, strict=True)
    counts = outcome.counts
    print(dict(counts), f"samples={sampler.samples}")
    assert not outcome.unexpected, outcome.unexpected[:3]
    assert rows(OVERLAPS_SQL) == []
    assert rows(DISAGREE_SQL) == []
    assert rows(RIVALS_LEFT_SQL) == []
    assert sampler.samples >= 5
    for won in ("ok:request", "ok:book", "ok:approve", "ok:bulk", "ok:reschedule"):
        assert counts[won] > 0, counts
    assert counts["SlotTaken"] > 0, counts
    # Approvals declined rivals: requests ended declined by an approval, not only by hand.
    assert Booking.objects.filter(
        state=State.DECLINED, audit__data__because_of__isnull=False
    ).exists()
    # Bulk accepts won time and declined rivals too (their approvals carry BULK as reason).
    # Each seeded pair: one accepted in bulk, its rival declined because of it.
    assert len(rows(DECLINED_BY_BULK_SQL)) >= 4, "bulk acceptances left rivals"


@on_postgres
def test_control_without_the_constraint_and_the_check_the_same_crowd_double_books(org):
    with unprotected():
        outcome, _sampler = crowd(org, threads=THREADS, strict=False)
        overlaps = rows(OVERLAPS_SQL)
    print(dict(outcome.counts), f"overlapping pairs={len(overlaps)}")
    assert not outcome.unexpected, outcome.unexpected[:3]
    assert len(overlaps) > 0, "with nothing protecting it, the crowd must double-book"
