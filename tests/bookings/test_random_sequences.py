"""Random action sequences against the real engine, with every invariant checked after each step.

A Hypothesis state machine drives the action functions (never the models) over two small
dates, a ticket-type quota, requests that hold places and requests that do not, each deadline
policy, and a clock that only moves through the actions' `now=` argument. After every step
it checks, in SQL: no pool is oversold, every pool's `taken` equals what its holders hold,
every booking's `holds_capacity` agrees with its state. Around every action it checks that a
refusal changed nothing and was the refusal the state table predicts, and that a success
wrote exactly one audit entry (and one outbox event) with the right from/to states, plus one
`expire` entry per lapsed booking the engine reclaimed on the way (DESIGN §2.2 #6).

The machine's own expectation of each outcome comes from the pure core's table, so a bug in
an action's plumbing (a skipped check, a wrong target, a lost audit row, a refusal that
should have been a success) fails here even when the ledger stays balanced.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import factory
import pytest
from django.db import connection
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tentative.audit.models import AuditEntry
from tentative.bookings import actions, errors
from tentative.bookings.models import Booking, BookingLine
from tentative.core import states
from tentative.core.deadlines import AtLimit, Policy
from tentative.core.states import Action, State
from tentative.inventory.models import CapacityPool, Hold
from tentative.outbox.models import OutboxMessage
from tentative.shared import errors as shared_errors
from tentative.shared.actor import Actor
from tests.factories import (
    EventDateFactory,
    EventFactory,
    MembershipFactory,
    OrganisationFactory,
    TicketTypeFactory,
)

pytestmark = pytest.mark.django_db

# Every action gets `now=` explicitly, so the whole run is relative to this instant.
T0 = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)
FIRST_START = T0 + timedelta(days=10)
SECOND_START = T0 + timedelta(days=14)

POLICIES = {
    # name: (policy, grace, action at the limit)
    "strict": (Policy.STRICT, None, AtLimit.RELEASE),
    "flexible+grace": (Policy.FLEXIBLE, timedelta(days=1), AtLimit.RELEASE),
    "flexible+review": (Policy.FLEXIBLE, timedelta(days=1), AtLimit.REVIEW),
    "flexible, no limit": (Policy.FLEXIBLE, None, AtLimit.RELEASE),
}
STEPS = [timedelta(minutes=1), timedelta(hours=6), timedelta(days=1), timedelta(days=2)]
UNUSABLE = factory.Transformer.Force("!")  # no hashing: it costs 0.25 s per run
EXPIRABLE = {State.QUOTE.value, State.REQUEST.value, State.OPTION.value}
VERB = {
    Action.APPROVE: actions.approve_booking,
    Action.CONVERT: actions.convert_booking,
    Action.REINSTATE: actions.reinstate_booking,
    Action.DECLINE: actions.decline_booking,
    Action.CONFIRM: actions.confirm_booking,
    Action.EXPIRE: actions.expire_booking,
    Action.CANCEL: actions.cancel_booking,
}
# Refusals a legal step may still meet: the places are gone, the date started, the deadline
# cannot be met, the new deadline is after the start.
ENDINGS = (Action.CANCEL, Action.DECLINE, Action.EXPIRE)
LEGAL_BUT_REFUSED = (errors.SoldOut, shared_errors.InvalidInput, errors.DeadlineUnreachable)


def lapsed(row: dict[str, Any], now: datetime) -> bool:
    """The engine's own definition (`expire.lapsed_bookings`), restated independently."""
    return (
        row["state"] in EXPIRABLE
        and row["at_limit"] == AtLimit.RELEASE.value
        and row["deadline_enforced"] is not None
        and row["deadline_enforced"] <= now
    )


class BookingMachine(RuleBasedStateMachine):
    bookings = Bundle("bookings")

    policies: tuple[str, ...] = tuple(POLICIES)

    def __init__(self) -> None:
        super().__init__()
        self.org = None

    @initialize(
        target=bookings,
        data=st.data(),
        capacity=st.integers(3, 8),
        quota=st.integers(1, 4),
        second_capacity=st.integers(1, 4),
    )
    def open_sales(self, data: Any, capacity: int, quota: int, second_capacity: int) -> Any:
        # A fresh organisation per run: runs share the test's transaction, never its rows.
        policy = data.draw(st.sampled_from(self.policies), label="policy")
        deadline_policy, grace, at_limit = POLICIES[policy]
        self.org = OrganisationFactory(
            deadline_policy=deadline_policy,
            deadline_grace=grace,
            deadline_at_limit=at_limit,
            quote_validity_days=2,
        )
        self.owner = Actor.staff(MembershipFactory(organisation=self.org, user__password=UNUSABLE))
        event = EventFactory(organisation=self.org)
        self.dates = [
            EventDateFactory(event=event, starts_at=FIRST_START),
            EventDateFactory(event=event, starts_at=SECOND_START),
        ]
        # "held": its requests hold places and it has a quota on the first date; its
        # deadline is 2 days after booking capped at 3 days before the date. "loose": its
        # requests hold nothing and must be re-checked at approval.
        self.tickets = {
            "held": TicketTypeFactory(
                event=event,
                price=Decimal("30.00"),
                requests_hold_capacity=True,
                deadline_days_after_booking=2,
                deadline_days_before_start=3,
            ),
            "loose": TicketTypeFactory(
                event=event, requests_hold_capacity=False, deadline_days_after_booking=1
            ),
        }
        for date, places in zip(self.dates, (capacity, second_capacity), strict=True):
            CapacityPool.objects.create(organisation=self.org, event_date=date, capacity=places)
        CapacityPool.objects.create(
            organisation=self.org,
            event_date=self.dates[0],
            ticket_type=self.tickets["held"],
            capacity=quota,
        )
        self.now = T0
        # A few bookings in the tentative states to start from, so that short runs (and
        # Hypothesis's swarm runs that switch `create` off) still act on something.
        seeded = [
            self.create_checked(mode, ticket, dates, 1)
            for mode, ticket, dates in [
                (State.OPTION, "held", (0,)),
                (State.OPTION, "loose", (1,)),
                (State.REQUEST, "held", (0,)),
                (State.REQUEST, "loose", (0,)),
                (State.QUOTE, "loose", (0, 1)),
            ]
        ]
        return multiple(*(b for b in seeded if b is not None))

    # -- the clock ---------------------------------------------------------------------

    @precondition(lambda self: self.now < SECOND_START)
    @rule(step=st.sampled_from(STEPS), sweep=st.booleans())
    def time_passes(self, step: timedelta, sweep: bool) -> None:
        self.now += step
        if sweep:
            self.the_sweep_runs()

    def the_sweep_runs(self) -> None:
        before = self.snapshot()
        expired = actions.expire_lapsed(now=self.now)
        after = self.snapshot()
        ours = {b for b in before["bookings"] if lapsed(before["bookings"][b], self.now)}
        assert ours <= set(expired), "the sweep left a lapsed booking behind"
        entries = self.new_records(before)
        assert self.check_only_expiries(before, after, entries, allowed=ours, target=None) == ours

    # -- creating ----------------------------------------------------------------------

    @rule(
        target=bookings,
        mode=st.sampled_from([State.QUOTE, State.REQUEST, State.OPTION, State.CONFIRMED]),
        ticket=st.sampled_from(["held", "loose"]),
        dates=st.sampled_from([(0,), (1,), (0, 1)]),
        quantity=st.integers(1, 3),
    )
    def create(self, mode: State, ticket: str, dates: tuple[int, ...], quantity: int) -> Any:
        booking_id = self.create_checked(mode, ticket, dates, quantity)
        return multiple() if booking_id is None else booking_id

    def create_checked(
        self, mode: State, ticket: str, dates: tuple[int, ...], quantity: int
    ) -> int | None:
        before = self.snapshot()
        lines = [
            actions.LineRequest(self.dates[i].id, self.tickets[ticket].id, quantity) for i in dates
        ]
        try:
            booking = actions.create_booking(
                actor=self.owner, organisation_id=self.org.id, mode=mode, lines=lines, now=self.now
            )
        except shared_errors.DomainError as refused:
            assert self.snapshot() == before, f"a refused create changed something: {refused!r}"
            assert isinstance(refused, LEGAL_BUT_REFUSED), repr(refused)
            if isinstance(refused, errors.SoldOut):
                holds = states.takes_capacity(
                    mode, requests_hold=self.tickets[ticket].requests_hold_capacity
                )
                assert holds, "sold out for a booking that takes no places"
                self.check_truly_sold_out(before, self.pools_for(ticket, dates, quantity))
            return None
        after = self.snapshot()
        row = after["bookings"][booking.id]
        assert row["state"] == mode.value
        self.check_step_audit(before, after, booking.id, Action.CREATE, None, mode)
        return booking.id

    # -- every other verb --------------------------------------------------------------

    @rule(
        booking=bookings,
        action=st.sampled_from([Action.APPROVE, Action.CONVERT, Action.REINSTATE]),
        to=st.sampled_from([State.OPTION, State.CONFIRMED]),
        reason=st.sampled_from(["", "paid late"]),
    )
    def move_with_a_target(self, booking: int, action: Action, to: State, reason: str) -> None:
        self.act(booking, action, to, reason, lambda *a, **kw: VERB[action](*a, target=to, **kw))

    @rule(
        booking=bookings,
        action=st.sampled_from([Action.DECLINE, Action.CONFIRM, Action.EXPIRE, Action.CANCEL]),
        reason=st.sampled_from(["", "asked by the customer"]),
    )
    def move(self, booking: int, action: Action, reason: str) -> None:
        self.act(booking, action, None, reason, VERB[action])

    @rule(booking=bookings, days=st.integers(1, 6))
    def extend(self, booking: int, days: int) -> None:
        until = self.now + timedelta(days=days)
        self.act(
            booking,
            Action.EXTEND,
            None,
            "",
            lambda *a, **kw: actions.extend_booking(*a, until=until, **kw),
        )

    def act(
        self, booking_id: int, action: Action, target: State | None, reason: str, call: Any
    ) -> None:
        before = self.snapshot()
        row = before["bookings"][booking_id]
        source = State(row["state"])
        # A booking past its enforced limit may still be ended (cancel, decline, expire) as it
        # is; reinstating expires it first (as the sweep would have); anything that would
        # continue it is refused as lapsed, even before the sweep.
        has_lapsed = lapsed(row, self.now)
        if has_lapsed and action not in ENDINGS and action != Action.REINSTATE:
            with pytest.raises(errors.Lapsed):
                call(booking_id, actor=self.owner, reason=reason, now=self.now)
            assert self.snapshot() == before, "a refused lapsed step changed something"
            return
        lapsed_option = has_lapsed and action == Action.REINSTATE
        effective = State.EXPIRED if lapsed_option else source
        possible = states.targets(action, effective)
        if target is None and len(possible) == 1:
            target = possible[0]
        step = next(
            (
                t
                for t in states.TRANSITIONS
                if (t.action, t.source, t.target) == (action, effective, target)
            ),
            None,
        )
        try:
            call(booking_id, actor=self.owner, reason=reason, now=self.now)
        except shared_errors.DomainError as refused:
            assert self.snapshot() == before, f"a refused {action} changed something: {refused!r}"
            if step is None:
                assert isinstance(refused, errors.IllegalTransition), repr(refused)
            elif step.needs_reason and not reason:
                assert isinstance(refused, shared_errors.ReasonRequired), repr(refused)
            else:
                assert isinstance(refused, LEGAL_BUT_REFUSED), repr(refused)
                if isinstance(refused, errors.SoldOut):
                    assert target is not None
                    takes = states.takes_capacity(target, requests_hold=row["requests_hold"])
                    assert takes and (lapsed_option or not row["holds"]), "needless re-check"
                    self.check_truly_sold_out(before, self.held_by(booking_id))
            return
        assert step is not None, f"{action} from {effective} to {target} should be refused"
        assert not (step.needs_reason and not reason), "a reason was required"
        after = self.snapshot()
        assert after["bookings"][booking_id]["state"] == step.target.value
        expired = self.check_step_audit(before, after, booking_id, action, effective, step.target)
        # A lapsed booking to reinstate was expired first (by the system), then reinstated.
        assert (booking_id in expired) == lapsed_option

    # -- checks around a step ----------------------------------------------------------

    def check_step_audit(
        self,
        before: dict[str, Any],
        after: dict[str, Any],
        booking_id: int,
        action: Action,
        source: State | None,
        target: State,
    ) -> set[int]:
        """One entry for the step itself; anything else is a reclaimed lapsed booking."""
        entries = self.new_records(before)
        main = [e for e in entries if e[0] == booking_id and e[2] == "staff"]
        assert len(main) == 1, f"{action} wrote {len(main)} audit entries for its booking"
        _, verb, _, from_state, to_state = main[0]
        assert (verb, from_state, to_state) == (action, source.value if source else "", target)
        # Reclaimed: lapsed holders of a pool. The step's own booking: any lapsed state
        # (reinstating a lapsed quote, request or option expires it first).
        allowed = {
            b for b, row in before["bookings"].items() if row["holds"] and lapsed(row, self.now)
        }
        if booking_id in before["bookings"] and lapsed(before["bookings"][booking_id], self.now):
            allowed.add(booking_id)
        others = [e for e in entries if e is not main[0]]
        return self.check_only_expiries(before, after, others, allowed=allowed, target=booking_id)

    def new_records(self, before: dict[str, Any]) -> list[tuple[int, str, str, str, str]]:
        """The audit entries written since `before`; each has its one outbox event."""
        entries = list(
            AuditEntry.objects.filter(
                organisation=self.org, id__gt=before["audit_max"]
            ).values_list("booking_id", "action", "actor_kind", "from_state", "to_state")
        )
        outbox = OutboxMessage.objects.filter(organisation=self.org, id__gt=before["outbox_max"])
        assert Counter(outbox.values_list("booking_id", flat=True)) == Counter(
            e[0] for e in entries
        ), "one outbox event per audit entry"
        return entries

    def check_only_expiries(
        self,
        before: dict[str, Any],
        after: dict[str, Any],
        entries: list[tuple[int, str, str, str, str]],
        *,
        allowed: set[int],
        target: int | None,
    ) -> set[int]:
        """Besides the target, a booking may only have lapsed: expired by the system, once."""
        for booking_id, *entry in entries:
            was = before["bookings"][booking_id]["state"]
            assert entry == ["expire", "system", was, "expired"], f"unexpected entry {entry}"
        expired = Counter(e[0] for e in entries)
        assert all(n == 1 for n in expired.values()), f"expired more than once: {expired}"
        assert set(expired) <= allowed, f"expired what had not lapsed: {set(expired) - allowed}"
        for booking_id, row in before["bookings"].items():
            if booking_id == target:
                continue
            if booking_id in expired:
                assert after["bookings"][booking_id]["state"] == State.EXPIRED.value
                assert not after["bookings"][booking_id]["holds"]
            else:
                assert after["bookings"][booking_id] == row, f"booking {booking_id} moved"
        return set(expired)

    def check_truly_sold_out(self, before: dict[str, Any], needs: dict[int, int]) -> None:
        """Some pool lacked the places even counting every lapsed holder as released."""
        reclaimable: Counter[int] = Counter()
        lapsed_ids = [
            b for b, row in before["bookings"].items() if row["holds"] and lapsed(row, self.now)
        ]
        for pool_id, quantity in Hold.objects.filter(line__booking_id__in=lapsed_ids).values_list(
            "pool_id", "quantity"
        ):
            reclaimable[pool_id] += quantity
        short = [
            pool_id
            for pool_id, quantity in needs.items()
            if before["free"][pool_id] + reclaimable[pool_id] < quantity
        ]
        assert short, f"SoldOut although every pool had room once lapsed options went: {needs}"

    def pools_for(self, ticket: str, dates: tuple[int, ...], quantity: int) -> dict[int, int]:
        needs: Counter[int] = Counter()
        for i in dates:
            for pool in CapacityPool.objects.filter(event_date=self.dates[i]):
                if pool.ticket_type_id in (None, self.tickets[ticket].id):
                    needs[pool.id] += quantity
        return dict(needs)

    def held_by(self, booking_id: int) -> dict[int, int]:
        needs: Counter[int] = Counter()
        for pool_id, quantity in Hold.objects.filter(line__booking_id=booking_id).values_list(
            "pool_id", "quantity"
        ):
            needs[pool_id] += quantity
        return dict(needs)

    def snapshot(self) -> dict[str, Any]:
        """Everything an action may change in this organisation, read fresh (and fast: this
        runs twice per step, so it is a handful of plain queries)."""
        fields = [
            "state",
            "holds",
            "requests_hold",
            "deadline_shown",
            "deadline_enforced",
            "at_limit",
        ]
        rows = Booking.objects.filter(organisation=self.org).values_list(
            "id",
            "state",
            "holds_capacity",
            "requests_hold",
            "deadline_shown",
            "deadline_enforced",
            "at_limit",
            "updated_at",
        )
        bookings = {
            row[0]: dict(zip([*fields, "updated_at"], row[1:], strict=True)) for row in rows
        }
        pools = self.sql(
            f"SELECT id, capacity, taken, set_aside FROM {CapacityPool._meta.db_table} "
            "WHERE organisation_id = %(org)s"
        )
        (audit_max, outbox_max, lines, holds), *_ = self.sql(
            f"""
            SELECT (SELECT COALESCE(MAX(id), 0) FROM {AuditEntry._meta.db_table}
                    WHERE organisation_id = %(org)s),
                   (SELECT COALESCE(MAX(id), 0) FROM {OutboxMessage._meta.db_table}
                    WHERE organisation_id = %(org)s),
                   (SELECT COUNT(*) FROM {BookingLine._meta.db_table} l
                    JOIN {Booking._meta.db_table} b ON b.id = l.booking_id
                    WHERE b.organisation_id = %(org)s),
                   (SELECT COUNT(*) FROM {Hold._meta.db_table} h
                    JOIN {CapacityPool._meta.db_table} p ON p.id = h.pool_id
                    WHERE p.organisation_id = %(org)s)
            """
        )
        return {
            "bookings": bookings,
            "taken": {pool_id: taken for pool_id, _, taken, _ in pools},
            "free": {pool_id: cap - taken - aside for pool_id, cap, taken, aside in pools},
            "lines": lines,
            "holds": holds,
            "audit_max": audit_max,
            "outbox_max": outbox_max,
        }

    # -- invariants, in SQL, after every step ------------------------------------------

    @precondition(lambda self: self.org is not None)
    @invariant()
    def no_pool_is_oversold(self) -> None:
        rows = self.sql(
            f"SELECT id, capacity, taken, set_aside FROM {CapacityPool._meta.db_table} "
            "WHERE organisation_id = %(org)s",
        )
        for pool_id, capacity, taken, set_aside in rows:
            assert taken >= 0 and taken + set_aside <= capacity, f"pool {pool_id} oversold"

    @precondition(lambda self: self.org is not None)
    @invariant()
    def every_pool_equals_what_its_holders_hold(self) -> None:
        rows = self.sql(
            f"""
            SELECT p.id, p.taken,
                   COALESCE(SUM(CASE WHEN b.holds_capacity THEN h.quantity ELSE 0 END), 0)
            FROM {CapacityPool._meta.db_table} p
            LEFT JOIN {Hold._meta.db_table} h ON h.pool_id = p.id
            LEFT JOIN {BookingLine._meta.db_table} l ON l.id = h.line_id
            LEFT JOIN {Booking._meta.db_table} b ON b.id = l.booking_id
            WHERE p.organisation_id = %(org)s
            GROUP BY p.id, p.taken
            """,
        )
        for pool_id, taken, held in rows:
            assert taken == held, f"pool {pool_id}: taken {taken}, holders hold {held}"

    @precondition(lambda self: self.org is not None)
    @invariant()
    def every_state_agrees_with_what_it_holds(self) -> None:
        rows = self.sql(
            f"SELECT id, state, holds_capacity, requests_hold FROM {Booking._meta.db_table} "
            "WHERE organisation_id = %(org)s",
        )
        for booking_id, state, holds, requests_hold in rows:
            expected = states.takes_capacity(State(state), requests_hold=bool(requests_hold))
            assert bool(holds) == expected, f"booking {booking_id} in {state} holds={holds}"

    def sql(self, query: str) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(query, {"org": self.org.id})  # type: ignore[union-attr]
            return cursor.fetchall()


def machine(*policies: str) -> type[BookingMachine]:
    return type("BookingMachine", (BookingMachine,), {"policies": policies})


RUN = settings(
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def test_random_action_sequences_keep_every_invariant() -> None:
    run_state_machine_as_test(machine("strict"), settings=settings(RUN, max_examples=50))


def test_random_action_sequences_under_flexible_deadline_policies() -> None:
    flexible = [name for name in POLICIES if name != "strict"]
    run_state_machine_as_test(machine(*flexible), settings=settings(RUN, max_examples=30))


def test_lapsed_options_on_two_full_dates_never_block_a_booking_of_both() -> None:
    """Found by the machine above (DESIGN §2.2 #6), pinned as the shortest sequence."""
    state = machine("strict")()
    state.open_sales(
        data=_Fixed(), capacity=3, quota=3, second_capacity=1
    )  # seeds: options on each date
    state.create(mode=State.OPTION, ticket="held", dates=(0,), quantity=1)  # date 1 now full
    state.time_passes(step=timedelta(days=2), sweep=False)  # every option has lapsed
    assert state.create(mode=State.OPTION, ticket="loose", dates=(0, 1), quantity=1)
    state.teardown()


class _Fixed:
    """Stands in for `st.data()` when a sequence is replayed by hand: the first choice."""

    def draw(self, strategy: Any, label: str = "") -> Any:
        return "strict"
