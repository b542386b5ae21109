"""Issue 9: no double booking. Two active time claims of one resource never overlap, whatever
the crowd does at once.

One staff member (Alice) and one room (the Vault), six overlapping start times each (9:00 to
11:30, every half hour, an hour long plus buffers), and everything that takes or gives back a
slot racing for them: new options, firm bookings and requests (of a service whose requests
hold the slot, and of one where "several clients may request the same slot"), room sessions,
moves into and out of the contested times, approvals and declines of the open requests,
cancellations, and changes of the number of players. A sampler reads the database all along;
afterwards, in SQL, no two active claims of one resource overlap and every claim is active
exactly when its booking holds capacity.

The refusals a caller may meet, and why each is legitimate here:
- SlotTaken: another booking holds an overlapping time (the race itself);
- IllegalTransition: approving, declining, moving, resizing or cancelling a booking that
  another thread has already ended or decided;
- CapacityBusy: waiting more than `lock_timeout` on a concurrent claim (PostgreSQL), rare;
- InvalidInput, only with these messages: a move to where the booking already is, a change
  of players to the number it already has or outside the session's 2 to 6.
SoldOut cannot happen (timed offers consume no pool) and is not accepted.

Each race has a control that shows the test can fail: the same race with the database's rule
removed (the exclusion constraint on PostgreSQL, the triggers on SQLite, with the statements
of migration 0003) and the pre-check in `claims.activate` bypassed (the create action's early
refusal of a slot held by a committed booking stays). There the SQL must find overlaps. On
PostgreSQL a second control keeps the pre-check and removes only the resource lock and the
constraint: the read-then-update race alone double-books. (On SQLite writers are serialised
by IMMEDIATE transactions, so the check alone already holds there; the control shows that
the SQL finds what it must when nothing checks.)
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from tentative.bookings import actions
from tentative.bookings.actions.change_quantity import UNCHANGED
from tentative.bookings.actions.move import SAME_PLACE
from tentative.bookings.errors import IllegalTransition, SlotTaken
from tentative.bookings.models import Booking, BookingLine
from tentative.bookings.offers import PARTICIPANTS_MESSAGE
from tentative.core.states import State
from tentative.inventory import claims
from tentative.inventory.models import TimeClaim
from tentative.shared.errors import CapacityBusy, InvalidInput
from tests.concurrency.threads import Outcomes, Sampler, race
from tests.conftest import on_postgres
from tests.factories import book_slot, room, service, session, staff, staff_member

pytestmark = pytest.mark.django_db(transaction=True)

ACCEPT = (SlotTaken, IllegalTransition, CapacityBusy, InvalidInput)
# The InvalidInput refusals a racing caller may legitimately get (see the module docstring).
EXPECTED_INPUT = (
    SAME_PLACE,
    UNCHANGED,
    PARTICIPANTS_MESSAGE,
)
MIGRATION = importlib.import_module("tentative.inventory.migrations.0003_timeclaim")

CLAIM = TimeClaim._meta.db_table
LINE = BookingLine._meta.db_table
BOOKING = Booking._meta.db_table
# Pairs of active claims of one resource whose times meet: must always be empty.
OVERLAPS_SQL = f"""
SELECT a.id, b.id, a.resource_id
  FROM {CLAIM} a
  JOIN {CLAIM} b ON b.resource_id = a.resource_id AND b.id > a.id
 WHERE a.active AND b.active AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
"""
# Claims whose `active` disagrees with their booking's `holds_capacity`: must be empty.
DISAGREE_SQL = f"""
SELECT c.id, c.active, b.holds_capacity
  FROM {CLAIM} c
  JOIN {LINE} l ON l.id = c.line_id
  JOIN {BOOKING} b ON b.id = l.booking_id
 WHERE c.active <> b.holds_capacity
"""


def rows(sql: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall())


def problems() -> list[str]:
    """What the sampler looks for, each query one snapshot."""
    found = [f"overlap: claims {a} and {b} of resource {r}" for a, b, r in rows(OVERLAPS_SQL)]
    found += [f"claim {c} active={a} but holds={h}" for c, a, h in rows(DISAGREE_SQL)]
    return found


@dataclass
class Contest:
    outcome: Outcomes
    overlaps: list[tuple[Any, ...]]
    disagreements: list[tuple[Any, ...]]
    samples: int
    bad_samples: int


def only_expected_input(call: Callable[[], Any]) -> Callable[[], Any]:
    """An InvalidInput other than the legitimate ones becomes an unexpected error."""

    def run() -> Any:
        try:
            return call()
        except InvalidInput as refused:
            if any(refused.message is expected for expected in EXPECTED_INPUT):
                raise
            raise AssertionError(f"unexpected InvalidInput: {refused.text}") from refused

    return run


def contested_race(org, *, threads: int, strict: bool) -> Contest:  # type: ignore[no-untyped-def]
    """Set the scene, run the crowd with a sampler, read the invariants in SQL."""
    rng = random.Random(9)
    owner = staff(org)
    alice, vault = staff_member(org, "Alice"), room(org, "The Vault")
    holding = service(org, alice, buffer_before=timedelta(minutes=10), requests_hold_capacity=True)
    open_slot = service(org, alice, requires_approval=True, requests_hold_capacity=False)
    escape = session(org, vault)  # 2 to 6 players, 15 minutes to reset after

    day = (timezone.now() + timedelta(days=10)).replace(hour=9, minute=0, second=0, microsecond=0)
    contested = [day + timedelta(minutes=30 * k) for k in range(6)]
    # The next day's same hours: only approvals and moves race there, not the crowd of
    # creates, so that approving a request into a slot can also win.
    deciding = [start + timedelta(days=1) for start in contested]
    homes = iter(day + timedelta(days=4, hours=2 * i) for i in range(100))  # apart
    away = iter(day + timedelta(days=10, hours=2 * i) for i in range(100))  # apart

    # Before the race, one at a time: a firm booking in the contested times of each resource,
    # bookings elsewhere that will move in, and open requests that hold nothing yet.
    in_contest = [
        book_slot(owner, holding, alice, contested[0], mode=State.CONFIRMED),
        book_slot(owner, escape, vault, contested[0], quantity=3),
    ]
    alice_movers = [
        book_slot(owner, holding, alice, next(homes), mode=mode)
        for mode in [State.OPTION, State.CONFIRMED, State.REQUEST] * 4
    ]
    vault_sessions = [
        book_slot(owner, escape, vault, next(homes), mode=mode, quantity=3)
        for mode in [State.OPTION, State.CONFIRMED] * 4
    ]
    open_requests = [
        book_slot(owner, open_slot, alice, rng.choice(deciding), mode=State.REQUEST)
        for _ in range(16)
    ]
    movers = [b.id for b in in_contest + alice_movers + vault_sessions]
    sessions = [b.id for b in vault_sessions] + [in_contest[1].id]
    session_lines = dict(
        BookingLine.objects.filter(booking_id__in=sessions).values_list("booking_id", "id")
    )
    requests = [b.id for b in open_requests]

    def create_at_alice() -> Callable[[], Any]:
        offer, mode = rng.choice(
            [
                (holding, State.OPTION),
                (holding, State.CONFIRMED),
                (holding, State.REQUEST),
                (open_slot, State.REQUEST),
            ]
        )
        start = rng.choice(contested)
        return lambda: book_slot(owner, offer, alice, start, mode=mode).id

    def create_in_vault() -> Callable[[], Any]:
        mode, start = rng.choice([State.OPTION, State.CONFIRMED]), rng.choice(contested)
        players = rng.randint(2, 6)
        return lambda: book_slot(owner, escape, vault, start, mode=mode, quantity=players).id

    def move() -> Callable[[], Any]:
        booking_id = rng.choice(movers)
        times = rng.choices([contested, deciding, [next(away)]], [5, 2, 3])[0]
        start = rng.choice(times)
        resource = vault if booking_id in sessions else alice
        to = actions.Destination(starts_at=start, resource_id=resource.id)
        return lambda: actions.move_booking(booking_id, actor=owner, to=to).id

    def approve() -> Callable[[], Any]:
        booking_id, target = rng.choice(requests), rng.choice([State.OPTION, State.CONFIRMED])
        return lambda: actions.approve_booking(booking_id, actor=owner, target=target).id

    def decline() -> Callable[[], Any]:
        booking_id = rng.choice(requests)
        return lambda: actions.decline_booking(booking_id, actor=owner, reason="taken").id

    def cancel() -> Callable[[], Any]:
        booking_id = rng.choice(movers + requests)
        return lambda: actions.cancel_booking(booking_id, actor=owner, reason="changed plans").id

    def resize() -> Callable[[], Any]:
        booking_id, players = rng.choice(sessions), rng.randint(1, 7)  # 1 and 7: refused
        line_id = session_lines[booking_id]
        return lambda: (
            actions.change_quantity(booking_id, actor=owner, line_id=line_id, quantity=players).id
        )

    mix = {
        "create": [create_at_alice for _ in range(100)] + [create_in_vault for _ in range(50)],
        "move": [move] * 40,
        "approve": [approve] * 24,
        "decline": [decline] * 8,
        "cancel": [cancel] * 20,
        "resize": [resize] * 24,
    }
    tasks = [
        (label, only_expected_input(make())) for label, makers in mix.items() for make in makers
    ]
    rng.shuffle(tasks)

    with Sampler(problems, strict=strict) as sampler:
        outcome = race(tasks, threads=threads, accept=ACCEPT)
    return Contest(
        outcome, rows(OVERLAPS_SQL), rows(DISAGREE_SQL), sampler.samples, sampler.bad_samples
    )


def check_protected(contest: Contest) -> None:
    counts = contest.outcome.counts
    print(dict(counts), f"samples={contest.samples}")
    assert not contest.outcome.unexpected, contest.outcome.unexpected[:3]
    assert contest.overlaps == [], contest.overlaps[:5]
    assert contest.disagreements == [], contest.disagreements[:5]
    assert contest.samples >= 10, f"the sampler barely looked: {contest.samples} samples"
    # The race was a race: slots were won, lost, moved into and approved into.
    for won in ("ok:create", "ok:move", "ok:approve", "ok:cancel", "ok:resize"):
        assert counts[won] > 0, counts
    assert counts["SlotTaken"] > 0 and counts["IllegalTransition"] > 0, counts
    assert counts["CapacityBusy"] <= 5, f"lock timeouts should stay rare: {counts}"
    assert TimeClaim.objects.filter(active=True).count() > 2


def check_control(contest: Contest) -> None:
    print(
        dict(contest.outcome.counts),
        f"overlapping pairs={len(contest.overlaps)}",
        f"samples={contest.samples} of which saw a problem={contest.bad_samples}",
    )
    assert not contest.outcome.unexpected, contest.outcome.unexpected[:3]
    assert len(contest.overlaps) > 0, "with nothing protecting it, the race must double-book"
    assert contest.bad_samples > 0, "the sampler must see the double bookings too"
    assert contest.disagreements == []


@contextmanager
def unprotected(*, keep_the_check: bool = False) -> Iterator[None]:
    """The database's rule dropped and `claims.activate` reduced to its UPDATE (or, with
    `keep_the_check`, only its resource lock removed: read, then update); the rule is
    restored afterwards with migration 0003's own statements. The control's claims are
    deleted first: PostgreSQL checks the existing rows when the constraint comes back."""

    def activate_without_check(wanted: list[claims.Wanted], *, lapsed: object) -> None:
        for claim in sorted(wanted):
            TimeClaim.objects.filter(id=claim.id).update(active=True)

    vendor = connection.vendor
    with connection.cursor() as cursor:
        for sql in MIGRATION.BACKWARD[vendor]:
            cursor.execute(sql)
    patch = pytest.MonkeyPatch()
    if keep_the_check:
        patch.setattr(claims, "lock", lambda resource_id: None)
    else:
        patch.setattr(claims, "activate", activate_without_check)
    try:
        yield
    finally:
        patch.undo()
        TimeClaim.objects.all().delete()
        with connection.cursor() as cursor:
            for sql in MIGRATION.FORWARD[vendor]:
                cursor.execute(sql)


@on_postgres
def test_64_threads_never_double_book_a_staff_member_or_a_room(org):
    check_protected(contested_race(org, threads=64, strict=True))


@on_postgres
def test_control_the_same_race_double_books_without_the_constraint_and_the_check(org):
    with unprotected():
        check_control(contested_race(org, threads=64, strict=False))


@on_postgres
def test_control_the_check_alone_double_books_without_the_lock_and_the_constraint(org):
    """Read-then-update is a race on its own: this is what the lock and the constraint are
    for, and proof that the race above really runs callers side by side (14 to 43
    overlapping pairs per run while it was written)."""
    with unprotected(keep_the_check=True):
        check_control(contested_race(org, threads=64, strict=False))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite variant of the race")
def test_16_threads_on_sqlite_never_double_book_nor_see_a_locked_database(org):
    # Any OperationalError ("database is locked") counts as unexpected.
    check_protected(contested_race(org, threads=16, strict=True))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite variant of the control")
def test_control_on_sqlite_double_books_without_the_triggers_and_the_check(org):
    with unprotected():
        check_control(contested_race(org, threads=16, strict=False))
