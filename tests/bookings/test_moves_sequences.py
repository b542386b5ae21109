"""Moves, quantity changes and cancellations in random sequences, against a model of the shop.

A Hypothesis state machine books tickets on two event dates, appointments with two staff
members and room sessions in two rooms, then moves them (another date, another time and/or
staff member or room), changes the number of places or players on a line, makes them firm
and cancels them. The test keeps its own model of what every booking should be: its state,
where it is, its lines with their prices and quantities. From the model alone it predicts
each outcome (done; or refused as sold out, slot taken, out of the service's participant
range, illegal in that state, nowhere to go, already there) and asserts that the engine
agrees. After every step the database must equal the model exactly: each booking's state,
`holds_capacity` and total (also the sum of its lines' unit_price × quantity), every line,
every hold, every time claim (resource, times with buffers, active), every pool's `taken`,
and one audit entry with one outbox event per change. A refusal must change nothing: the
booking, its lines, holds and claims, every pool and every claim are snapshotted before and
compared after.

The clock stands still (every action gets `now=T0`), so no deadline passes: what lapses is
`test_random_sequences.py`'s business; here every refusal is one the model can predict.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import factory
import pytest
from django.db import connection
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tentative.audit.models import AuditEntry
from tentative.bookings import actions, errors
from tentative.bookings.actions import Destination
from tentative.bookings.models import Booking, BookingLine
from tentative.catalog.models import Resource
from tentative.core.states import LIVE, State, takes_capacity
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

T0 = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)
FIRST_DAY = T0 + timedelta(days=10)
SECOND_DAY = T0 + timedelta(days=14)
# Start times of a timed booking. With an hour's appointment and 10 minutes to prepare, or an
# hour's session and 15 minutes to reset the room, the first three meet their neighbours
# (the buffers make 9:00 and 10:00 overlap); 9:00 and 11:00 do not.
STARTS = [
    FIRST_DAY,
    FIRST_DAY + timedelta(minutes=30),
    FIRST_DAY + timedelta(hours=1),
    FIRST_DAY + timedelta(hours=2),
    SECOND_DAY,
]
HOUR = timedelta(hours=1)
UNUSABLE = factory.Transformer.Force("!")
KINDS = ("ticket", "appointment", "session")
# Which lines a booking has: the first offer (ticket type A, standard price, adults), the
# second (B, reduced, children), or both.
WHICH = {"first": (0,), "second": (1,), "both": (0, 1)}
VERB_TOPIC = {
    "create": "booking.created",
    "move": "booking.moved",
    "change_quantity": "booking.quantity_changed",
    "cancel": "booking.cancelled",
    "convert": "booking.converted",
    "approve": "booking.approved",
    "confirm": "booking.confirmed",
    "decline": "booking.declined",
}


@dataclass
class Expected:
    """What the model says one booking is. Every line of a booking is at the same place: a
    date for tickets, a (resource, start) slot for a timed booking."""

    kind: str
    state: State
    requests_hold: bool
    lines: list[list[int]]  # [offer index, quantity], in line-id order
    date: int = 0
    resource: int = 0
    start: int = 0
    line_ids: list[int] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return takes_capacity(self.state, requests_hold=self.requests_hold)


class MovesMachine(RuleBasedStateMachine):
    bookings = Bundle("bookings")  # live: a quote, a request, an option or a firm booking
    ended = Bundle("ended")  # cancelled

    def __init__(self) -> None:
        super().__init__()
        self.org = None

    @initialize(
        capacities=st.tuples(st.integers(2, 6), st.integers(1, 4)),
        quota=st.integers(1, 3),
    )
    def open_sales(self, capacities: tuple[int, int], quota: int) -> None:
        self.org = OrganisationFactory(quote_validity_days=2)
        self.owner = Actor.staff(MembershipFactory(organisation=self.org, user__password=UNUSABLE))
        event = EventFactory(organisation=self.org)
        self.dates = [
            EventDateFactory(event=event, starts_at=FIRST_DAY),
            EventDateFactory(event=event, starts_at=SECOND_DAY),
        ]
        # A's requests hold places and A has a quota on the first date; B's requests hold none.
        self.types = [
            TicketTypeFactory(event=event, price=Decimal("30.00"), requests_hold_capacity=True),
            TicketTypeFactory(event=event, price=Decimal("20.00"), requests_hold_capacity=False),
        ]
        self.pools: dict[tuple[str, int], CapacityPool] = {
            ("date", i): CapacityPool.objects.create(
                organisation=self.org, event_date=date, capacity=places
            )
            for i, (date, places) in enumerate(zip(self.dates, capacities, strict=True))
        }
        self.pools[("quota", 0)] = CapacityPool.objects.create(
            organisation=self.org,
            event_date=self.dates[0],
            ticket_type=self.types[0],
            capacity=quota,
        )
        self.resources = {
            "appointment": [staff_member(self.org, "Alice"), staff_member(self.org, "Bob")],
            "session": [room(self.org, "The Vault"), room(self.org, "The Lab")],
        }
        self.services = {
            # Requests hold the staff member's time; 1 to 3 people; 10 minutes to prepare.
            "appointment": service(
                self.org,
                *self.resources["appointment"],
                buffer_before=timedelta(minutes=10),
                max_participants=3,
                prices=(("Standard", "50.00"), ("Reduced", "35.00")),
            ),
            # Requests hold nothing; 2 to 6 players; 15 minutes to reset the room.
            "session": session(self.org, *self.resources["session"], requests_hold_capacity=False),
        }
        self.prices = {kind: list(s.prices.order_by("id")) for kind, s in self.services.items()}
        self.model: dict[int, Expected] = {}
        self.audit_max = self.outbox_max = 0
        self.expected_records: list[tuple[int, str]] = []

    # -- what the model predicts ---------------------------------------------------------

    def line_pools(self, booking: Expected, offer: int) -> list[tuple[str, int]]:
        pools = [("date", booking.date)]
        if offer == 0 and booking.date == 0:
            pools.append(("quota", 0))
        return pools

    def taken(self, *, without: int | None = None) -> Counter[tuple[str, int]]:
        """What holding bookings hold in each pool (`without` one booking)."""
        taken: Counter[tuple[str, int]] = Counter()
        for booking_id, booking in self.model.items():
            if booking.kind == "ticket" and booking.holds and booking_id != without:
                for offer, quantity in booking.lines:
                    for pool in self.line_pools(booking, offer):
                        taken[pool] += quantity
        return taken

    def short_of_places(
        self, booking: Expected, demand: Counter[tuple[str, int]], without: int | None
    ) -> bool:
        taken = self.taken(without=without)
        return any(
            taken[pool] + quantity > self.pools[pool].capacity for pool, quantity in demand.items()
        )

    def demand(self, booking: Expected) -> Counter[tuple[str, int]]:
        demand: Counter[tuple[str, int]] = Counter()
        for offer, quantity in booking.lines:
            for pool in self.line_pools(booking, offer):
                demand[pool] += quantity
        return demand

    def claim(self, booking: Expected) -> tuple[int, datetime, datetime]:
        offer = self.services[booking.kind]
        starts_at = STARTS[booking.start]
        return (
            self.resources[booking.kind][booking.resource].id,
            starts_at - offer.buffer_before,
            starts_at + offer.duration + offer.buffer_after,
        )

    def slot_taken(self, booking: Expected, without: int | None) -> bool:
        resource, starts_at, ends_at = self.claim(booking)
        for other_id, other in self.model.items():
            if other_id == without or other.kind != booking.kind or not other.holds:
                continue
            other_resource, other_start, other_end = self.claim(other)
            if other_resource == resource and other_start < ends_at and starts_at < other_end:
                return True
        return False

    def refusal_to_take(self, booking: Expected, booking_id: int | None) -> type | None:
        """What taking `booking`'s places or slot now would meet (its own given back)."""
        if booking.kind == "ticket":
            short = self.short_of_places(booking, self.demand(booking), booking_id)
            return errors.SoldOut if short else None
        return errors.SlotTaken if self.slot_taken(booking, booking_id) else None

    def out_of_range(self, booking: Expected) -> bool:
        if booking.kind == "ticket":
            return False
        offer = self.services[booking.kind]
        people = sum(quantity for _, quantity in booking.lines)
        return not offer.min_participants <= people <= offer.max_participants

    # -- rules ---------------------------------------------------------------------------

    @rule(
        target=bookings,
        kind=st.sampled_from(KINDS),
        mode=st.sampled_from([State.QUOTE, State.REQUEST, State.OPTION, State.CONFIRMED]),
        which=st.sampled_from(list(WHICH)),
        quantity=st.integers(1, 3),
        date=st.integers(0, 1),
        resource=st.integers(0, 1),
        start=st.integers(0, len(STARTS) - 1),
    )
    def create(
        self,
        kind: str,
        mode: State,
        which: str,
        quantity: int,
        date: int,
        resource: int,
        start: int,
    ) -> Any:
        offers = WHICH[which]
        if kind == "ticket":
            requests_hold = all(self.types[o].requests_hold_capacity for o in offers)
            lines: list[Any] = [
                actions.LineRequest(self.dates[date].id, self.types[o].id, quantity) for o in offers
            ]
        else:
            requests_hold = self.services[kind].requests_hold_capacity
            lines = [
                actions.SlotRequest(
                    self.services[kind].id,
                    self.resources[kind][resource].id,
                    STARTS[start],
                    quantity,
                    self.prices[kind][o].id,
                )
                for o in offers
            ]
        booking = Expected(
            kind,
            mode,
            requests_hold,
            [[o, quantity] for o in offers],
            date=date if kind == "ticket" else 0,
            resource=resource if kind != "ticket" else 0,
            start=start if kind != "ticket" else 0,
        )
        if self.out_of_range(booking):
            expected: type | None = shared_errors.InvalidInput
        elif booking.holds:
            expected = self.refusal_to_take(booking, None)
        elif mode == State.REQUEST and kind != "ticket":
            # A request that holds nothing is still refused for a time a live booking holds
            # (it could never be approved); never for places.
            expected = errors.SlotTaken if self.slot_taken(booking, None) else None
        else:
            expected = None

        def call() -> int:
            return actions.create_booking(
                actor=self.owner, organisation_id=self.org.id, mode=mode, lines=lines, now=T0
            ).id

        booking_id = self.attempt(call, expected, None, "create")
        if booking_id is None:
            return multiple()
        booking.line_ids = list(
            BookingLine.objects.filter(booking_id=booking_id)
            .order_by("id")
            .values_list("id", flat=True)
        )
        self.model[booking_id] = booking
        self.expected_records.append((booking_id, "create"))
        return booking_id

    @rule(
        booking_id=bookings,
        date_or_resource=st.none() | st.integers(0, 1),
        start=st.none() | st.integers(0, len(STARTS) - 1),
        wrong_kind=st.integers(0, 7),
    )
    def move(
        self, booking_id: int, date_or_resource: int | None, start: int | None, wrong_kind: int
    ) -> None:
        """A ticket booking to another date; a timed one to another staff member or room
        and/or another start. Now and then (`wrong_kind == 0`) the other kind's destination."""
        booking = self.model[booking_id]
        to_a_date = (booking.kind == "ticket") != (wrong_kind == 0)
        if to_a_date:
            # No date drawn: the other one (a ticket booking is always at a date).
            date = 1 - booking.date if date_or_resource is None else date_or_resource
            destination = Destination(event_date_id=self.dates[date].id)
            moved = replace(booking, date=date)
        else:
            resource = booking.resource if date_or_resource is None else date_or_resource
            resources = self.resources.get(booking.kind) or self.resources["appointment"]
            destination = Destination(
                resource_id=None if date_or_resource is None else resources[resource].id,
                starts_at=None if start is None else STARTS[start],
            )
            moved = replace(
                booking, resource=resource, start=booking.start if start is None else start
            )
        # In the order the engine decides.
        if destination == Destination():
            expected: type | None = shared_errors.InvalidInput  # nowhere to go
        elif booking.state not in LIVE:
            expected = errors.IllegalTransition
        elif to_a_date != (booking.kind == "ticket"):
            expected = shared_errors.InvalidInput  # a ticket moves to a date, a slot to a time
        elif (moved.date, moved.resource, moved.start) == (
            booking.date,
            booking.resource,
            booking.start,
        ):
            expected = shared_errors.InvalidInput  # already there
        elif booking.holds:
            expected = self.refusal_to_take(moved, booking_id)
        elif booking.state == State.REQUEST and booking.kind != "ticket":
            # A request that holds nothing records its new wish, but not for a time a live
            # booking holds (as at its creation).
            expected = errors.SlotTaken if self.slot_taken(moved, booking_id) else None
        else:
            expected = None  # a booking that holds nothing records its new wish
        done = self.attempt(
            lambda: actions.move_booking(booking_id, actor=self.owner, to=destination, now=T0),
            expected,
            booking_id,
            "move",
        )
        if done is not None:
            booking.date, booking.resource, booking.start = moved.date, moved.resource, moved.start
            self.expected_records.append((booking_id, "move"))

    @rule(booking_id=bookings, line=st.integers(0, 1), quantity=st.integers(1, 4))
    def change_quantity(self, booking_id: int, line: int, quantity: int) -> None:
        booking = self.model[booking_id]
        index = line % len(booking.lines)
        offer, before = booking.lines[index]
        changed = Expected(
            booking.kind,
            booking.state,
            booking.requests_hold,
            [[o, quantity if i == index else q] for i, (o, q) in enumerate(booking.lines)],
            date=booking.date,
            resource=booking.resource,
            start=booking.start,
        )
        if booking.state not in LIVE:
            expected: type | None = errors.IllegalTransition
        elif quantity == before or self.out_of_range(changed):
            expected = shared_errors.InvalidInput
        elif booking.kind == "ticket" and booking.holds and quantity > before:
            extra = Counter({pool: quantity - before for pool in self.line_pools(booking, offer)})
            expected = errors.SoldOut if self.short_of_places(booking, extra, None) else None
        else:
            expected = None  # fewer, or a timed line: its slot is held whatever the count
        done = self.attempt(
            lambda: actions.change_quantity(
                booking_id,
                actor=self.owner,
                line_id=booking.line_ids[index],
                quantity=quantity,
                now=T0,
            ),
            expected,
            booking_id,
            "change_quantity",
        )
        if done is not None:
            booking.lines[index][1] = quantity
            self.expected_records.append((booking_id, "change_quantity"))

    @rule(target=ended, booking_id=consumes(bookings))
    def cancel(self, booking_id: int) -> Any:
        booking = self.model[booking_id]
        expected = None if booking.state in LIVE else errors.IllegalTransition
        done = self.attempt(
            lambda: actions.cancel_booking(
                booking_id, actor=self.owner, reason="the customer called", now=T0
            ),
            expected,
            booking_id,
            "cancel",
        )
        if done is not None:
            booking.state = State.CANCELLED
            self.expected_records.append((booking_id, "cancel"))
        return booking_id

    @rule(
        booking_id=ended,
        verb=st.sampled_from(["move", "change_quantity", "cancel", "make_firm"]),
        start=st.integers(0, len(STARTS) - 1),
    )
    def ended_stays_ended(self, booking_id: int, verb: str, start: int) -> None:
        """A cancelled booking can be neither moved, resized, cancelled nor made firm (the
        rules above predict IllegalTransition from the model's state)."""
        if verb == "move":
            self.move(booking_id, date_or_resource=1, start=start, wrong_kind=1)
        elif verb == "change_quantity":
            self.change_quantity(booking_id, line=0, quantity=start + 1)
        elif verb == "cancel":
            self.cancel(booking_id)
        else:
            self.make_firm(booking_id)

    @rule(booking_id=bookings)
    def make_firm(self, booking_id: int) -> None:
        """Convert a quote, approve a request, confirm an option: a booking that held
        nothing takes its places or slot now, where it was last moved to."""
        booking = self.model[booking_id]
        verb = {State.QUOTE: "convert", State.REQUEST: "approve"}.get(booking.state, "confirm")
        call = {
            "convert": actions.convert_booking,
            "approve": actions.approve_booking,
            "confirm": actions.confirm_booking,
        }[verb]
        if booking.state not in (State.QUOTE, State.REQUEST, State.OPTION):
            expected: type | None = errors.IllegalTransition
        elif not booking.holds:
            expected = self.refusal_to_take(booking, booking_id)
        else:
            expected = None
        done = self.attempt(
            lambda: call(booking_id, actor=self.owner, now=T0), expected, booking_id, verb
        )
        if done is not None:
            booking.state = State.CONFIRMED
            self.expected_records.append((booking_id, verb))
            if verb == "approve" and booking.kind != "ticket":
                # The requests that held nothing for an overlapping time of that staff
                # member or room are declined with it, in id order (seed 003).
                for rival_id in self.rivals(booking, booking_id):
                    self.model[rival_id].state = State.DECLINED
                    self.expected_records.append((rival_id, "decline"))

    def rivals(self, booking: Expected, booking_id: int) -> list[int]:
        resource, starts_at, ends_at = self.claim(booking)
        found = []
        for other_id, other in sorted(self.model.items()):
            if other_id == booking_id or other.kind != booking.kind:
                continue
            if other.state != State.REQUEST or other.holds:
                continue
            other_resource, other_start, other_end = self.claim(other)
            if other_resource == resource and other_start < ends_at and starts_at < other_end:
                found.append(other_id)
        return found

    def attempt(self, call: Any, expected: type | None, booking_id: int | None, verb: str) -> Any:
        """Run the action; it must succeed or be refused exactly as the model says, and a
        refusal must change nothing at all."""
        # `pytest --hypothesis-show-statistics` shows how often each outcome was exercised.
        kind = self.model[booking_id].kind if booking_id else ""
        event(f"{verb} {kind}: {expected.__name__ if expected else 'done'}")
        before = self.snapshot(booking_id)
        try:
            result = call()
        except shared_errors.DomainError as refused:
            assert expected is not None, (
                f"{verb} refused, the model says it can be done: {refused!r}"
            )
            assert type(refused) is expected, f"{verb}: {refused!r}, the model says {expected}"
            assert self.snapshot(booking_id) == before, f"a refused {verb} changed something"
            return None
        assert expected is None, f"{verb} done, the model says {expected.__name__}"
        return result if result is not None else True

    def snapshot(self, booking_id: int | None) -> tuple[Any, ...]:
        """The booking, its lines, holds and claims, every pool and claim, the records:
        whole rows, read in plain SQL (twice per step; the ORM's query building was most of
        this test's time)."""
        return (
            self.sql(f"SELECT * FROM {table(Booking)} WHERE id = %(booking)s", booking_id),
            self.sql(
                f"SELECT * FROM {table(BookingLine)} WHERE booking_id = %(booking)s ORDER BY id",
                booking_id,
            ),
            self.sql(
                f"""SELECT h.* FROM {table(Hold)} h
                JOIN {table(BookingLine)} l ON l.id = h.line_id
                WHERE l.booking_id = %(booking)s ORDER BY h.id""",
                booking_id,
            ),
            self.sql(
                f"SELECT * FROM {table(CapacityPool)} WHERE organisation_id = %(org)s ORDER BY id"
            ),
            self.sql(
                f"""SELECT c.* FROM {table(TimeClaim)} c
                JOIN {table(Resource)} r ON r.id = c.resource_id
                WHERE r.organisation_id = %(org)s ORDER BY c.id"""
            ),
            self.sql(
                f"""SELECT
                (SELECT COUNT(*) FROM {table(Booking)} WHERE organisation_id = %(org)s),
                (SELECT COUNT(*) FROM {table(Hold)} h JOIN {table(CapacityPool)} p
                 ON p.id = h.pool_id WHERE p.organisation_id = %(org)s),
                (SELECT COUNT(*) FROM {table(AuditEntry)} WHERE organisation_id = %(org)s),
                (SELECT COUNT(*) FROM {table(OutboxMessage)} WHERE organisation_id = %(org)s)"""
            ),
        )

    def sql(self, query: str, booking_id: int | None = None) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(query, {"org": self.org.id, "booking": booking_id})  # type: ignore[union-attr]
            return cursor.fetchall()

    # -- after every step: the database equals the model -----------------------------------

    @precondition(lambda self: self.org is not None)
    @invariant()
    def the_database_equals_the_model(self) -> None:
        org = self.org
        rows = {
            b: (State(state), holds, total)
            for b, state, holds, total in Booking.objects.filter(organisation=org).values_list(
                "id", "state", "holds_capacity", "total"
            )
        }
        assert set(rows) == set(self.model), "bookings appeared or vanished"
        lines: dict[int, list[tuple[Any, ...]]] = {b: [] for b in rows}
        for booking_id, *line in (
            BookingLine.objects.filter(booking__organisation=org)
            .order_by("id")
            .values_list(
                "booking_id",
                "id",
                "event_date_id",
                "ticket_type_id",
                "service_price_id",
                "resource_id",
                "starts_at",
                "ends_at",
                "quantity",
                "unit_price",
            )
        ):
            lines[booking_id].append(tuple(line))
        expected_holds, expected_claims = set(), set()
        for booking_id, booking in self.model.items():
            expected_lines = [
                (line_id, *self.expected_line(booking, offer), quantity)
                for line_id, (offer, quantity) in zip(booking.line_ids, booking.lines, strict=True)
            ]
            assert [line[:-1] for line in lines[booking_id]] == expected_lines, (
                f"booking {booking_id}'s lines"
            )
            total = sum((line[-1] * line[-2] for line in lines[booking_id]), start=Decimal(0))
            expected_total = sum(
                (self.unit_price(booking, offer) * q for offer, q in booking.lines),
                start=Decimal(0),
            )
            assert rows[booking_id] == (booking.state, booking.holds, expected_total), (
                f"booking {booking_id}: {rows[booking_id]}, the model says "
                f"{(booking.state, booking.holds, expected_total)}"
            )
            assert total == expected_total, f"booking {booking_id}: total is not its lines'"
            assert [line[-1] for line in lines[booking_id]] == [
                self.unit_price(booking, offer) for offer, _ in booking.lines
            ], f"booking {booking_id}: unit prices changed"
            if booking.kind == "ticket":
                for line_id, (offer, quantity) in zip(booking.line_ids, booking.lines, strict=True):
                    for pool in self.line_pools(booking, offer):
                        expected_holds.add((line_id, self.pools[pool].id, quantity))
            else:
                # The slot is claimed once, on the booking's first line.
                expected_claims.add((booking.line_ids[0], *self.claim(booking), booking.holds))
        holds = set(
            self.sql(
                f"""SELECT h.line_id, h.pool_id, h.quantity FROM {table(Hold)} h
                JOIN {table(CapacityPool)} p ON p.id = h.pool_id
                WHERE p.organisation_id = %(org)s"""
            )
        )
        assert holds == expected_holds, "holds differ from the model"
        claims = set(
            TimeClaim.objects.filter(line__booking__organisation=org).values_list(
                "line_id", "resource_id", "starts_at", "ends_at", "active"
            )
        )
        assert claims == expected_claims, "time claims differ from the model"
        taken = self.taken()
        pools = dict(
            self.sql(f"SELECT id, taken FROM {table(CapacityPool)} WHERE organisation_id = %(org)s")
        )
        assert pools == {pool.id: taken[key] for key, pool in self.pools.items()}, (
            "pools differ from the model"
        )
        self.check_records()

    def check_records(self) -> None:
        """One audit entry and one outbox event per change, for that booking, that verb."""
        entries = self.sql(
            f"""SELECT id, booking_id, action FROM {table(AuditEntry)}
            WHERE organisation_id = %(org)s AND id > {int(self.audit_max)} ORDER BY id"""
        )
        events = self.sql(
            f"""SELECT id, booking_id, topic FROM {table(OutboxMessage)}
            WHERE organisation_id = %(org)s AND id > {int(self.outbox_max)} ORDER BY id"""
        )
        assert [e[1:] for e in entries] == self.expected_records, "audit entries"
        assert [e[1:] for e in events] == [
            (booking_id, VERB_TOPIC[verb]) for booking_id, verb in self.expected_records
        ], "outbox events"
        if entries:
            self.audit_max = entries[-1][0]
        if events:
            self.outbox_max = events[-1][0]
        self.expected_records = []

    def expected_line(self, booking: Expected, offer: int) -> tuple[Any, ...]:
        """(event date, ticket type, service price, resource, starts_at, ends_at)."""
        if booking.kind == "ticket":
            date = self.dates[booking.date]
            return (date.id, self.types[offer].id, None, None, date.starts_at, date.ends_at)
        starts_at = STARTS[booking.start]
        return (
            None,
            None,
            self.prices[booking.kind][offer].id,
            self.resources[booking.kind][booking.resource].id,
            starts_at,
            starts_at + self.services[booking.kind].duration,
        )

    def unit_price(self, booking: Expected, offer: int) -> Decimal:
        if booking.kind == "ticket":
            return self.types[offer].price
        return self.prices[booking.kind][offer].price


def table(model: Any) -> str:
    return model._meta.db_table


def test_moves_quantity_changes_and_cancellations_keep_the_model_exact() -> None:
    run_state_machine_as_test(
        MovesMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=50,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
