"""Random action sequences against the real engine, with every invariant checked after each step.

A Hypothesis state machine drives the action functions (never the models) for each kind of
offer: tickets on two small dates with a ticket-type quota (`TicketMachine`), appointments
with two staff members (`AppointmentMachine`) and room sessions with players per price
category in two rooms (`RoomSessionMachine`); each with an offer whose requests hold what
they ask for and one whose requests do not, each deadline policy, and a clock that only
moves through the actions' `now=` argument. The rules and the checks are the kind-blind
`BookingMachine`'s; a kind only says what its catalogue is and what a booking of it asks for.

After every step it checks, in SQL: no pool is oversold, every pool's `taken` equals what
its holders hold, every booking's `holds_capacity` agrees with its state, no two active time
claims of one resource overlap, and every claim is active exactly when its booking holds.
Around every action it checks that a refusal changed nothing (bookings, pools, lines,
holds, claims) and was the refusal the state table predicts (a SoldOut or SlotTaken only
when some pool or slot really was short, an InvalidInput only when a date had started or a
slot's number of people was out of range), and that a success wrote exactly one audit entry
(and one outbox event) with the right from/to states, plus one `expire` entry per lapsed
booking the engine reclaimed on the way (DESIGN §2.2 #6) and, for an approval, one `decline`
entry per other request that holds nothing and wanted overlapping time of the same resource
(seed 003, docs/availability.md), no more and no fewer.

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
from tentative.bookings.actions.expire_batch import expire_lapsed_batch
from tentative.bookings.models import Booking, BookingLine
from tentative.bookings.offers import AnyRequest
from tentative.catalog.models import Resource, Service
from tentative.core import states
from tentative.core.deadlines import AtLimit, Policy
from tentative.core.states import Action, State
from tentative.inventory.models import CapacityPool, Hold, TimeClaim
from tentative.outbox.models import OutboxMessage
from tentative.shared import errors as shared_errors
from tentative.shared.actor import Actor
from tests.factories import (
    EventDateFactory,
    EventFactory,
    MembershipFactory,
    OrganisationFactory,
    TicketTypeFactory,
    room,
    service,
    session,
    staff_member,
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
LAPSABLE = (State.QUOTE, State.REQUEST, State.OPTION)
VERB = {
    Action.APPROVE: actions.approve_booking,
    Action.CONVERT: actions.convert_booking,
    Action.REINSTATE: actions.reinstate_booking,
    Action.DECLINE: actions.decline_booking,
    Action.CONFIRM: actions.confirm_booking,
    Action.EXPIRE: actions.expire_booking,
    Action.CANCEL: actions.cancel_booking,
}
# Refusals a legal step may still meet: the places or the slot are gone, the date started,
# the deadline cannot be met, the new deadline is after the start.
ENDINGS = (Action.CANCEL, Action.DECLINE, Action.EXPIRE)
LEGAL_BUT_REFUSED = (
    errors.SoldOut,
    errors.SlotTaken,
    shared_errors.InvalidInput,
    errors.DeadlineUnreachable,
)
# What the seeded bookings are: (mode, offer, where, quantity); `where` indexes the kind's
# `PLACES`.
Seed = tuple[State, str, int, int]


def lapsed(row: dict[str, Any], now: datetime) -> bool:
    """The engine's own definition (`expire.lapsed_bookings`), restated independently."""
    return (
        row["state"] in EXPIRABLE
        and row["at_limit"] == AtLimit.RELEASE.value
        and row["deadline_enforced"] is not None
        and row["deadline_enforced"] <= now
    )


class BookingMachine(RuleBasedStateMachine):
    """The rules and checks, blind to the kind of offer; a subclass is one kind: it opens its
    catalogue (two offers, "held" and "loose"), and says what booking it `where` asks for."""

    bookings = Bundle("bookings")

    policies: tuple[str, ...] = tuple(POLICIES)
    # A few bookings in the tentative states to start from, so that short runs (and
    # Hypothesis's swarm runs that switch `create` off) still act on something.
    SEEDS: tuple[Seed, ...] = ()

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
        # Both offers of a kind: "held" requests hold what they ask for, its deadline is 2 days
        # after booking capped at 3 days before the start; "loose" requests hold nothing and
        # are re-checked at approval, its deadline is 1 day after booking.
        self.offers = self.open_catalogue(capacity, quota, second_capacity)
        self.now = T0
        seeded = [self.create_checked(*seed) for seed in self.SEEDS]
        return multiple(*(b for b in seeded if b is not None))

    # -- what a kind says --------------------------------------------------------------

    def open_catalogue(self, capacity: int, quota: int, second_capacity: int) -> dict[str, Any]:
        """Create the kind's offers; return them by name ("held", "loose")."""
        raise NotImplementedError

    def requests(self, offer: str, where: int, quantity: int) -> list[AnyRequest]:
        """The lines of a booking of `offer` at place `where`, `quantity` on each line."""
        raise NotImplementedError

    def places_needed(self, offer: str, where: int, quantity: int) -> dict[int, int]:
        """Places such a booking takes, per pool."""
        return {}

    def time_needed(self, offer: str, where: int) -> list[tuple[int, datetime, datetime]]:
        """Time such a booking claims: (resource, start less buffer, end plus buffer)."""
        return []

    def out_of_range(self, offer: str, where: int, quantity: int) -> bool:
        """Whether the number of people is outside what the offer takes per booking."""
        return False

    def starts(self, where: int) -> list[datetime]:
        raise NotImplementedError

    def destination(self, where: int) -> actions.Destination:
        """Where a booking moves to: the date, or the resource and start, of `where`."""
        raise NotImplementedError

    # -- the clock ---------------------------------------------------------------------

    @precondition(lambda self: self.now < SECOND_START)
    @rule(step=st.sampled_from(STEPS), sweep=st.booleans())
    def time_passes(self, step: timedelta, sweep: bool) -> None:
        self.now += step
        if sweep:
            self.the_sweep_runs()

    def the_sweep_runs(self) -> None:
        before = self.snapshot()
        # The sweep's own form: on PostgreSQL one statement of CTEs, elsewhere expire_lapsed.
        expired = expire_lapsed_batch(now=self.now, limit=10_000)
        after = self.snapshot()
        ours = {b for b in before["bookings"] if lapsed(before["bookings"][b], self.now)}
        assert ours <= set(expired), "the sweep left a lapsed booking behind"
        entries = self.new_records(before)
        assert self.check_only_expiries(before, after, entries, allowed=ours, target=None) == ours

    # -- creating ----------------------------------------------------------------------

    @rule(
        target=bookings,
        mode=st.sampled_from([State.QUOTE, State.REQUEST, State.OPTION, State.CONFIRMED]),
        offer=st.sampled_from(["held", "loose"]),
        where=st.integers(0, 2),
        quantity=st.integers(1, 3),
    )
    def create(self, mode: State, offer: str, where: int, quantity: int) -> Any:
        booking_id = self.create_checked(mode, offer, where, quantity)
        return multiple() if booking_id is None else booking_id

    def create_checked(self, mode: State, offer: str, where: int, quantity: int) -> int | None:
        before = self.snapshot()
        lines = self.requests(offer, where, quantity)
        try:
            booking = actions.create_booking(
                actor=self.owner, organisation_id=self.org.id, mode=mode, lines=lines, now=self.now
            )
        except shared_errors.DomainError as refused:
            assert self.snapshot() == before, f"a refused create changed something: {refused!r}"
            assert isinstance(refused, LEGAL_BUT_REFUSED), repr(refused)
            started = any(start <= self.now for start in self.starts(where))
            invalid = started or self.out_of_range(offer, where, quantity)
            assert isinstance(refused, shared_errors.InvalidInput) == invalid, repr(refused)
            if isinstance(refused, errors.SoldOut | errors.SlotTaken):
                holds = states.takes_capacity(
                    mode, requests_hold=self.offers[offer].requests_hold_capacity
                )
                # A request that holds nothing is still refused for a time a live booking
                # holds (it could never be approved); never for places.
                asks_held_time = isinstance(refused, errors.SlotTaken) and mode == State.REQUEST
                assert holds or asks_held_time, f"{refused!r} for a booking that takes nothing"
                if isinstance(refused, errors.SoldOut):
                    self.check_truly_sold_out(before, self.places_needed(offer, where, quantity))
                else:
                    self.check_truly_taken(before, self.time_needed(offer, where), None)
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

    @rule(booking=bookings, where=st.integers(0, 2))
    def move_elsewhere(self, booking: int, where: int) -> None:
        to = self.destination(where)
        needs = self.needs_at(booking, to)
        self.act(
            booking,
            Action.MOVE,
            None,
            "",
            lambda *a, **kw: actions.move_booking(*a, to=to, **kw),
            needs=needs,
        )

    @rule(booking=bookings, quantity=st.integers(1, 4))
    def change_quantity(self, booking: int, quantity: int) -> None:
        lines = list(BookingLine.objects.filter(booking_id=booking).select_related("service"))
        lines.sort(key=lambda line: line.id)
        line_id, before, offer = lines[0].id, lines[0].quantity, lines[0].service
        people = quantity + sum(line.quantity for line in lines[1:])
        # Started, unchanged, or out of the service's range (all the lines of a timed booking
        # are of one service); nothing else makes a legal change invalid.
        invalid = (
            lines[0].starts_at <= self.now
            or quantity == before
            or (
                offer is not None and not offer.min_participants <= people <= offer.max_participants
            )
        )
        extra = {
            pool_id: quantity - before
            for pool_id in Hold.objects.filter(line_id=line_id).values_list("pool_id", flat=True)
        }
        self.act(
            booking,
            Action.CHANGE_QUANTITY,
            None,
            "",
            lambda *a, **kw: actions.change_quantity(*a, line_id=line_id, quantity=quantity, **kw),
            needs=(extra, []),
            invalid=invalid,
        )

    def needs_at(
        self, booking_id: int, to: actions.Destination
    ) -> tuple[dict[int, int], list[tuple[int, datetime, datetime]]]:
        """What the booking's lines would take at `to`: places per pool, and time."""
        places: Counter[int] = Counter()
        time = []
        for line in BookingLine.objects.filter(booking_id=booking_id).select_related("service"):
            if line.ticket_type_id is not None:
                for pool in CapacityPool.objects.filter(
                    event_date_id=to.event_date_id or line.event_date_id, reserve=None
                ):
                    if pool.ticket_type_id in (None, line.ticket_type_id):
                        places[pool.id] += line.quantity
            else:
                offer = line.service
                starts_at = to.starts_at or line.starts_at
                time.append(
                    (
                        to.resource_id or line.resource_id,
                        starts_at - offer.buffer_before,
                        starts_at + offer.duration + offer.buffer_after,
                    )
                )
        return dict(places), time

    def act(
        self,
        booking_id: int,
        action: Action,
        target: State | None,
        reason: str,
        call: Any,
        needs: tuple[dict[int, int], list[tuple[int, datetime, datetime]]] | None = None,
        invalid: bool | None = None,
    ) -> None:
        """`needs`: for a move or a change of quantity, what it takes if it goes through
        (for a state change, the booking's own holds and claims are what it takes).
        `invalid`: whether a legal step must be refused as InvalidInput (None: not known)."""
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
                if invalid is not None:
                    assert isinstance(refused, shared_errors.InvalidInput) == invalid, repr(refused)
                if isinstance(refused, errors.DeadlineUnreachable) and action in states.IN_PLACE:
                    # Only a move of a tentative booking computes a deadline again.
                    assert action == Action.MOVE and source in LAPSABLE, repr(refused)
                if needs is not None and isinstance(refused, errors.SoldOut | errors.SlotTaken):
                    # In place: only a booking that holds takes anything (a quote or a
                    # request that holds nothing just records its new wish), but a request
                    # may not wish for a time a live booking holds, as at its creation.
                    wishes_held_time = isinstance(refused, errors.SlotTaken) and (
                        source == State.REQUEST
                    )
                    assert row["holds"] or wishes_held_time, (
                        f"{refused!r} for a booking that holds nothing"
                    )
                elif isinstance(refused, errors.SoldOut | errors.SlotTaken):
                    assert target is not None
                    takes = states.takes_capacity(target, requests_hold=row["requests_hold"])
                    assert takes and (lapsed_option or not row["holds"]), "needless re-check"
                if isinstance(refused, errors.SoldOut):
                    places = needs[0] if needs else self.held_by(booking_id)
                    self.check_truly_sold_out(before, places)
                elif isinstance(refused, errors.SlotTaken):
                    own = [c[1:4] for c in before["claims"].values() if c[0] == booking_id]
                    self.check_truly_taken(before, needs[1] if needs else own, booking_id)
            return
        assert step is not None, f"{action} from {effective} to {target} should be refused"
        assert not (step.needs_reason and not reason), "a reason was required"
        after = self.snapshot()
        assert after["bookings"][booking_id]["state"] == step.target.value
        declined = self.rivals(before, booking_id) if action == Action.APPROVE else frozenset()
        expired = self.check_step_audit(
            before, after, booking_id, action, effective, step.target, declined=declined
        )
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
        declined: frozenset[int] = frozenset(),
    ) -> set[int]:
        """One entry for the step itself; the rivals an approval declines (`declined`), one
        entry each; anything else is a reclaimed lapsed booking."""
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
        refusals = [e for e in entries if e[0] in declined]
        assert Counter(e[0] for e in refusals) == Counter(declined), "rivals declined once each"
        for rival_id, *entry in refusals:
            # The rival's own decline, in the approving staff member's name (seed 003).
            assert entry == ["decline", "staff", State.REQUEST.value, State.DECLINED.value]
            assert after["bookings"][rival_id]["state"] == State.DECLINED.value
            assert not after["bookings"][rival_id]["holds"]
        others = [e for e in entries if e is not main[0] and e[0] not in declined]
        return self.check_only_expiries(
            before, after, others, allowed=allowed, target=booking_id, declined=declined
        )

    def rivals(self, before: dict[str, Any], booking_id: int) -> frozenset[int]:
        """What approving `booking_id` declines (docs/availability.md, approval rules): every
        other request that holds nothing and wants time of one of its resources overlapping
        its own, whether or not that request has lapsed (ending a booking as it is)."""
        claims = before["claims"].values()
        mine = [c[1:4] for c in claims if c[0] == booking_id]
        return frozenset(
            holder
            for holder, resource, starts_at, ends_at, _ in claims
            if holder != booking_id
            and before["bookings"][holder]["state"] == State.REQUEST.value
            and not before["bookings"][holder]["holds"]
            and any(
                resource == my_resource and starts_at < my_end and my_start < ends_at
                for my_resource, my_start, my_end in mine
            )
        )

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
        declined: frozenset[int] = frozenset(),
    ) -> set[int]:
        """Besides the target (and the rivals it declined, checked by the caller), a booking
        may only have lapsed: expired by the system, once."""
        for booking_id, *entry in entries:
            was = before["bookings"][booking_id]["state"]
            assert entry == ["expire", "system", was, "expired"], f"unexpected entry {entry}"
        expired = Counter(e[0] for e in entries)
        assert all(n == 1 for n in expired.values()), f"expired more than once: {expired}"
        assert set(expired) <= allowed, f"expired what had not lapsed: {set(expired) - allowed}"
        for booking_id, row in before["bookings"].items():
            if booking_id == target or booking_id in declined:
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

    def check_truly_taken(
        self,
        before: dict[str, Any],
        wanted: list[tuple[int, datetime, datetime]],
        own: int | None,
    ) -> None:
        """Some wanted time met an active claim of another booking that had not lapsed (a
        slot held only by lapsed bookings is reclaimed, never refused)."""
        lapsed_ids = {
            b for b, row in before["bookings"].items() if row["holds"] and lapsed(row, self.now)
        }
        assert any(
            holder != own
            and holder not in lapsed_ids
            and active
            and resource == wanted_resource
            and starts_at < wanted_end
            and wanted_start < ends_at
            for wanted_resource, wanted_start, wanted_end in wanted
            for holder, resource, starts_at, ends_at, active in before["claims"].values()
        ), f"SlotTaken although {wanted} met only free or lapsed time"

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
        claims = TimeClaim.objects.filter(resource__organisation=self.org).values_list(
            "id", "line__booking_id", "resource_id", "starts_at", "ends_at", "active"
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
            "claims": {claim_id: rest for claim_id, *rest in claims},
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

    @precondition(lambda self: self.org is not None)
    @invariant()
    def no_two_active_claims_of_a_resource_overlap(self) -> None:
        # The database refuses it (migration 0003); this checks that refusal, not the engine.
        rows = self.sql(
            f"""
            SELECT a.id, b.id FROM {TimeClaim._meta.db_table} a
            JOIN {TimeClaim._meta.db_table} b
              ON b.resource_id = a.resource_id AND a.id < b.id
             AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
            JOIN {Resource._meta.db_table} r ON r.id = a.resource_id
            WHERE a.active AND b.active AND r.organisation_id = %(org)s
            """
        )
        assert rows == [], f"active claims overlap: {rows}"

    @precondition(lambda self: self.org is not None)
    @invariant()
    def every_claim_is_active_exactly_when_its_booking_holds(self) -> None:
        rows = self.sql(
            f"""
            SELECT c.id, c.active, b.holds_capacity FROM {TimeClaim._meta.db_table} c
            JOIN {BookingLine._meta.db_table} l ON l.id = c.line_id
            JOIN {Booking._meta.db_table} b ON b.id = l.booking_id
            WHERE b.organisation_id = %(org)s AND c.active != b.holds_capacity
            """
        )
        assert rows == [], f"claims whose active disagrees with their booking: {rows}"

    def sql(self, query: str) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(query, {"org": self.org.id})  # type: ignore[union-attr]
            return cursor.fetchall()


class TicketMachine(BookingMachine):
    """Two dates; "held" has a quota on the first. Places: the first date, the second, both."""

    PLACES = ((0,), (1,), (0, 1))
    SEEDS = (
        (State.OPTION, "held", 0, 1),
        (State.OPTION, "loose", 1, 1),
        (State.REQUEST, "held", 0, 1),
        (State.REQUEST, "loose", 0, 1),
        (State.QUOTE, "loose", 2, 1),
    )

    def open_catalogue(self, capacity: int, quota: int, second_capacity: int) -> dict[str, Any]:
        event = EventFactory(organisation=self.org)
        self.dates = [
            EventDateFactory(event=event, starts_at=FIRST_START),
            EventDateFactory(event=event, starts_at=SECOND_START),
        ]
        tickets = {
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
            ticket_type=tickets["held"],
            capacity=quota,
        )
        return tickets

    def requests(self, offer: str, where: int, quantity: int) -> list[AnyRequest]:
        ticket_id = self.offers[offer].id
        return [
            actions.LineRequest(self.dates[i].id, ticket_id, quantity) for i in self.PLACES[where]
        ]

    def places_needed(self, offer: str, where: int, quantity: int) -> dict[int, int]:
        needs: Counter[int] = Counter()
        for i in self.PLACES[where]:
            for pool in CapacityPool.objects.filter(event_date=self.dates[i]):
                if pool.ticket_type_id in (None, self.offers[offer].id):
                    needs[pool.id] += quantity
        return dict(needs)

    def starts(self, where: int) -> list[datetime]:
        return [self.dates[i].starts_at for i in self.PLACES[where]]

    def destination(self, where: int) -> actions.Destination:
        # Both dates: the second (a booking on both then has two lines on one date: refused).
        return actions.Destination(event_date_id=self.dates[self.PLACES[where][-1]].id)


# A timed place: (resource index, start, how many prices are booked: 1, or 2 lines of
# `quantity` people each).
TimedPlace = tuple[int, datetime, int]


class TimedMachine(BookingMachine):
    """Two resources delivering both offers, which compete for their time. Places 0 and 1
    overlap on the first resource; place 2 is the second resource on the second day, with
    people at both prices."""

    kind: str = ""
    PLACES: tuple[TimedPlace, ...] = ()
    SEEDS = (
        # A request first: once the option below holds its time, a new request for that
        # time is refused (it could never be approved), but this one already waits.
        (State.REQUEST, "loose", 1, 2),
        (State.OPTION, "held", 0, 2),  # wants the time the request wants
        (State.OPTION, "loose", 2, 1),
        (State.QUOTE, "loose", 0, 2),
    )

    def make_resources(self) -> list[Resource]:
        raise NotImplementedError

    def make_service(self, resources: list[Resource], **terms: Any) -> Service:
        raise NotImplementedError

    def open_catalogue(self, capacity: int, quota: int, second_capacity: int) -> dict[str, Any]:
        self.resources = self.make_resources()
        services = {
            "held": self.make_service(
                self.resources,
                requests_hold_capacity=True,
                deadline_days_after_booking=2,
                deadline_days_before_start=3,
            ),
            "loose": self.make_service(
                self.resources, requests_hold_capacity=False, deadline_days_after_booking=1
            ),
        }
        self.prices = {name: list(s.prices.order_by("id")) for name, s in services.items()}
        return services

    def requests(self, offer: str, where: int, quantity: int) -> list[AnyRequest]:
        resource, starts_at, prices = self.PLACES[where]
        return [
            actions.SlotRequest(
                self.offers[offer].id,
                self.resources[resource].id,
                starts_at,
                quantity,
                price.id,
            )
            for price in self.prices[offer][:prices]
        ]

    def time_needed(self, offer: str, where: int) -> list[tuple[int, datetime, datetime]]:
        resource, starts_at, _ = self.PLACES[where]
        s = self.offers[offer]
        return [
            (
                self.resources[resource].id,
                starts_at - s.buffer_before,
                starts_at + s.duration + s.buffer_after,
            )
        ]

    def out_of_range(self, offer: str, where: int, quantity: int) -> bool:
        people = quantity * self.PLACES[where][2]
        s = self.offers[offer]
        return not s.min_participants <= people <= s.max_participants

    def starts(self, where: int) -> list[datetime]:
        return [self.PLACES[where][1]]

    def destination(self, where: int) -> actions.Destination:
        resource, starts_at, _ = self.PLACES[where]
        return actions.Destination(starts_at=starts_at, resource_id=self.resources[resource].id)


class AppointmentMachine(TimedMachine):
    """A one-hour appointment with 10 minutes to prepare, for 1 to 3 people, with Alice or
    Bob. Alice at the first start and half an hour later overlap."""

    PLACES = (
        (0, FIRST_START, 1),
        (0, FIRST_START + timedelta(minutes=30), 1),
        (1, SECOND_START, 2),
    )

    def make_resources(self) -> list[Resource]:
        return [staff_member(self.org, "Alice"), staff_member(self.org, "Bob")]

    def make_service(self, resources: list[Resource], **terms: Any) -> Service:
        return service(
            self.org,
            *resources,
            buffer_before=timedelta(minutes=10),
            max_participants=3,
            prices=(("Standard", "50.00"), ("Reduced", "35.00")),
            **terms,
        )


class RoomSessionMachine(TimedMachine):
    """A one-hour session for 2 to 6 players (adults, children), 15 minutes to reset the
    room: the Vault at the first start and 45 minutes later overlap."""

    PLACES = (
        (0, FIRST_START, 1),
        (0, FIRST_START + timedelta(minutes=45), 2),
        (1, SECOND_START, 2),
    )

    def make_resources(self) -> list[Resource]:
        return [room(self.org, "The Vault"), room(self.org, "The Lab")]

    def make_service(self, resources: list[Resource], **terms: Any) -> Service:
        return session(self.org, *resources, **terms)


def machine(kind: type[BookingMachine], *policies: str) -> type[BookingMachine]:
    return type(kind.__name__, (kind,), {"policies": policies or tuple(POLICIES)})


RUN = settings(
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def test_random_action_sequences_keep_every_invariant() -> None:
    run_state_machine_as_test(
        machine(TicketMachine, "strict"), settings=settings(RUN, max_examples=50)
    )


def test_random_action_sequences_under_flexible_deadline_policies() -> None:
    flexible = [name for name in POLICIES if name != "strict"]
    run_state_machine_as_test(
        machine(TicketMachine, *flexible), settings=settings(RUN, max_examples=30)
    )


@pytest.mark.parametrize("kind", [AppointmentMachine, RoomSessionMachine])
def test_random_action_sequences_on_timed_offers(kind: type[BookingMachine]) -> None:
    """Every deadline policy, fewer runs than tickets: the rules are the same code."""
    run_state_machine_as_test(machine(kind), settings=settings(RUN, max_examples=25))


def test_lapsed_options_on_two_full_dates_never_block_a_booking_of_both() -> None:
    """Found by the machine above (DESIGN §2.2 #6), pinned as the shortest sequence."""
    state = machine(TicketMachine, "strict")()
    state.open_sales(
        data=_Fixed(), capacity=3, quota=3, second_capacity=1
    )  # seeds: options on each date
    state.create(mode=State.OPTION, offer="held", where=0, quantity=1)  # date 1 now full
    state.time_passes(step=timedelta(days=2), sweep=False)  # every option has lapsed
    assert state.create(mode=State.OPTION, offer="loose", where=2, quantity=1)
    state.teardown()


def test_approving_a_request_declines_the_pending_request_for_the_same_time() -> None:
    """Found by the machine above (seed 003), pinned as the shortest sequence: two requests
    that hold nothing want Alice's overlapping time (a seeded one at 09:30, one at 09:00
    made once the option holding it has lapsed); approving the first declines the second
    in the same transaction (one `decline` entry by the approving staff), and the lapsed
    option in the way is expired by the system."""
    state = machine(AppointmentMachine, "strict")()
    seeded = state.open_sales(data=_Fixed(), capacity=3, quota=3, second_capacity=1)
    seeded_request, held, _, _ = seeded.values  # request at 09:30, option at 09:00, ...
    state.time_passes(step=timedelta(days=2), sweep=False)  # the option has lapsed
    # Its time is free again for a request (a lapsed option is in nobody's way).
    rival = state.create(mode=State.REQUEST, offer="loose", where=0, quantity=2)
    state.move_with_a_target(
        booking=seeded_request, action=Action.APPROVE, to=State.OPTION, reason=""
    )
    states_now = dict(Booking.objects.filter(id__in=[held, rival]).values_list("id", "state"))
    assert states_now == {held: State.EXPIRED.value, rival: State.DECLINED.value}
    state.teardown()


class _Fixed:
    """Stands in for `st.data()` when a sequence is replayed by hand: the first choice."""

    def draw(self, strategy: Any, label: str = "") -> Any:
        return "strict"
