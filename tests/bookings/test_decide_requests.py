"""The bulk decision on pending requests (issue 11 item 4, seed 000): one set-based action,
an outcome per request, the same rules as approving or declining one."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tentative.audit.models import AuditEntry
from tentative.bookings import actions
from tentative.bookings.actions import Decision, Outcome, decide_requests
from tentative.bookings.models import Booking
from tentative.core.availability import MIDNIGHT
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.inventory.models import CapacityPool, TimeClaim
from tentative.outbox.models import OutboxMessage
from tentative.shared.actor import Actor
from tentative.shared.errors import Forbidden, InvalidInput
from tests.appointments.factories import working_hours
from tests.factories import (
    CustomerFactory,
    OrganisationFactory,
    book,
    on_sale,
    service,
    staff,
    staff_member,
)

pytestmark = pytest.mark.django_db


def requests(org, n, *, capacity=10, hold=False, **ticket):  # type: ignore[no-untyped-def]
    date, ticket_type = on_sale(
        org, capacity=capacity, requires_approval=True, requests_hold_capacity=hold, **ticket
    )
    owner = staff(org)
    made = [book(owner, date, ticket_type, mode=State.REQUEST) for _ in range(n)]
    return date, ticket_type, made


def pool_taken(date) -> int:  # type: ignore[no-untyped-def]
    return CapacityPool.objects.get(event_date=date, ticket_type=None).taken


def test_accepting_requests_that_held_nothing_takes_places_first_come_first_served(org):
    date, _, made = requests(org, 5, capacity=3)
    owner = staff(org)
    decided = decide_requests(
        [b.id for b in reversed(made)], decision=Decision.ACCEPT, actor=owner, message="Welcome"
    )
    # One outcome per id, in the order given; the three oldest got the three places.
    assert [d.booking_id for d in decided] == [b.id for b in reversed(made)]
    outcomes = {d.booking_id: d.outcome for d in decided}
    assert [outcomes[b.id] for b in made] == [Outcome.ACCEPTED] * 3 + [Outcome.NO_PLACES] * 2
    states = dict(Booking.objects.values_list("id", "state"))
    assert [states[b.id] for b in made] == ["confirmed"] * 3 + ["request"] * 2
    assert pool_taken(date) == 3
    # Audit and outbox per accepted booking, with the message as the reason.
    approvals = AuditEntry.objects.filter(action="approve")
    assert approvals.count() == 3 and {a.reason for a in approvals} == {"Welcome"}
    events = OutboxMessage.objects.filter(topic="booking.approved")
    assert events.count() == 3
    assert {e.payload["reason"] for e in events} == {"Welcome"}


def test_refusing_gives_back_what_requests_held_and_says_why(org):
    date, _, made = requests(org, 3, capacity=10, hold=True)
    assert pool_taken(date) == 3
    decided = decide_requests(
        [b.id for b in made], decision=Decision.REFUSE, actor=staff(org), message="Full house"
    )
    assert {d.outcome for d in decided} == {Outcome.REFUSED}
    assert set(Booking.objects.values_list("state", flat=True)) == {"declined"}
    assert pool_taken(date) == 0
    declined = OutboxMessage.objects.filter(topic="booking.declined")
    assert declined.count() == 3 and {e.payload["reason"] for e in declined} == {"Full house"}
    assert AuditEntry.objects.filter(action="decline", from_state="request").count() == 3


def test_already_decided_unknown_and_other_organisations_requests_are_reported(org):
    _, _, made = requests(org, 3, hold=True)
    owner = staff(org)
    actions.decline_booking(made[0].id, actor=owner)
    other = OrganisationFactory()
    _, _, theirs = requests(other, 1, hold=True)
    decided = decide_requests(
        [made[0].id, made[1].id, theirs[0].id, 10**9, made[1].id],
        decision=Decision.ACCEPT,
        actor=owner,
    )
    assert [(d.outcome, d.state) for d in decided] == [
        (Outcome.ALREADY_DECIDED, "declined"),
        (Outcome.ACCEPTED, "confirmed"),
        (Outcome.NOT_FOUND, ""),
        (Outcome.NOT_FOUND, ""),
    ]
    assert Booking.objects.get(id=theirs[0].id).state == "request"  # untouched


def test_a_request_charged_after_approval_becomes_an_option_awaiting_payment(org):
    _, _, made = requests(org, 1, approval_charge="after_approval", price=Decimal("30"))
    decided = decide_requests([made[0].id], decision=Decision.ACCEPT, actor=staff(org))
    assert (decided[0].outcome, decided[0].state) == (Outcome.ACCEPTED, "option")
    option = Booking.objects.get(id=made[0].id)
    assert option.holds_capacity and option.deadline_shown is not None
    assert option.deadline_rule  # the rule as a sentence, as approve_booking writes it


def test_a_lapsed_request_cannot_be_accepted_but_can_be_refused(org):
    _, _, made = requests(org, 1, decision_days=2)
    later = timezone.now() + timedelta(days=3)
    accepted = decide_requests([made[0].id], decision=Decision.ACCEPT, actor=staff(org), now=later)
    assert accepted[0].outcome == Outcome.LAPSED
    refused = decide_requests([made[0].id], decision=Decision.REFUSE, actor=staff(org), now=later)
    assert refused[0].outcome == Outcome.REFUSED


def test_a_lapsed_option_gives_its_places_to_accepted_requests(org):
    date, ticket_type = on_sale(org, capacity=2, requires_approval=False)
    owner = staff(org)
    book(owner, date, ticket_type, mode=State.OPTION, quantity=2)  # 5 days' deadline
    request_type = type(ticket_type).objects.create(
        event=date.event,
        name="On request",
        price=Decimal("10"),
        requires_approval=True,
        requests_hold_capacity=False,
    )
    pending = book(owner, date, request_type, mode=State.REQUEST)
    later = timezone.now() + timedelta(days=6)
    decided = decide_requests([pending.id], decision=Decision.ACCEPT, actor=owner, now=later)
    assert decided[0].outcome == Outcome.ACCEPTED
    assert set(Booking.objects.exclude(id=pending.id).values_list("state", flat=True)) == {
        "expired"
    }


def test_rights_come_from_the_role_and_customers_may_not_decide(org):
    _, _, made = requests(org, 2, hold=True)
    agent = staff(org, Role.AGENT)
    assert decide_requests([made[0].id], decision=Decision.ACCEPT, actor=agent)[0].outcome == (
        Outcome.ACCEPTED
    )
    customer = Actor.customer(CustomerFactory(organisation=org))
    with pytest.raises(Forbidden):
        decide_requests([made[1].id], decision=Decision.REFUSE, actor=customer)
    assert Booking.objects.get(id=made[1].id).state == "request"


def test_nothing_or_too_much_is_refused(org):
    with pytest.raises(InvalidInput):
        decide_requests([], decision=Decision.ACCEPT, actor=staff(org))
    with pytest.raises(InvalidInput):
        decide_requests(range(1, 1002), decision=Decision.ACCEPT, actor=staff(org))


def test_the_statements_do_not_grow_with_the_number_of_requests(org):
    def statements(n: int) -> int:
        _, _, made = requests(org, n, capacity=n)
        owner = staff(org)
        with CaptureQueriesContext(connection) as queries:
            decided = decide_requests([b.id for b in made], decision=Decision.ACCEPT, actor=owner)
        assert {d.outcome for d in decided} == {Outcome.ACCEPTED}
        return len(queries)

    assert statements(3) == statements(60)


# --- appointments: accepting declines the rival requests (issue 13) ---------------------


def appointment_requests(org, starts: list[int]):  # type: ignore[no-untyped-def]
    """Requests that hold nothing (*several clients may request the same slot*) for one
    staff member, an hour long, starting `starts` hours after a day ten days ahead."""
    alice = working_hours(
        staff_member(org, "Alice"), weekdays=range(7), ranges=[(time(0), MIDNIGHT)]
    )
    offer = service(
        org,
        alice,
        requires_approval=True,
        requests_hold_capacity=False,
        approval_note="x",
        slot_step=timedelta(minutes=30),
    )
    day = (timezone.now() + timedelta(days=10)).replace(hour=8, minute=0, second=0, microsecond=0)
    owner = staff(org)
    made = [
        actions.create_booking(
            actor=owner,
            organisation_id=org.id,
            mode=State.REQUEST,
            customer_id=CustomerFactory(organisation=org).id,
            lines=[actions.SlotRequest(offer.id, alice.id, day + timedelta(hours=h))],
        )
        for h in starts
    ]
    return owner, made


def test_accepting_an_appointment_request_declines_its_rivals_with_their_email(org):
    owner, (first, rival, overlapping, elsewhere) = appointment_requests(org, [0, 0, 0.5, 3])
    decided = decide_requests([first.id], decision=Decision.ACCEPT, actor=owner, message="Yes")
    assert [d.outcome for d in decided] == [Outcome.ACCEPTED]
    states = dict(Booking.objects.values_list("id", "state"))
    assert states[first.id] == State.CONFIRMED
    assert states[rival.id] == states[overlapping.id] == State.DECLINED
    assert states[elsewhere.id] == State.REQUEST  # another time: untouched
    declines = AuditEntry.objects.filter(action="decline").order_by("booking_id")
    assert [d.booking_id for d in declines] == [rival.id, overlapping.id]
    assert {d.data["because_of"] for d in declines} == {first.reference}
    events = OutboxMessage.objects.filter(topic="booking.declined", kind="event")
    assert sorted(events.values_list("booking_id", flat=True)) == [rival.id, overlapping.id]
    assert all("accepted" in e.payload["reason"] for e in events)
    assert TimeClaim.objects.filter(active=True).count() == 1


def test_accepting_rivals_together_accepts_the_oldest_and_refuses_the_others(org):
    owner, (first, second, elsewhere) = appointment_requests(org, [1, 1, 4])
    decided = decide_requests(
        [second.id, first.id, elsewhere.id], decision=Decision.ACCEPT, actor=owner
    )
    outcomes = {d.booking_id: (d.outcome, d.state) for d in decided}
    assert outcomes == {
        first.id: (Outcome.ACCEPTED, "confirmed"),
        second.id: (Outcome.REFUSED, "declined"),
        elsewhere.id: (Outcome.ACCEPTED, "confirmed"),
    }
    assert dict(Booking.objects.values_list("id", "state")) == {
        first.id: "confirmed",
        second.id: "declined",
        elsewhere.id: "confirmed",
    }
    assert AuditEntry.objects.get(booking_id=second.id, action="decline").data == {
        "because_of": first.reference
    }


def test_refusing_appointment_requests_declines_no_one_else(org):
    owner, (first, rival) = appointment_requests(org, [2, 2])
    decide_requests([first.id], decision=Decision.REFUSE, actor=owner)
    assert Booking.objects.get(id=rival.id).state == State.REQUEST
