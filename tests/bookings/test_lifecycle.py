"""Each action, single-threaded: the state it leads to, the places it moves, what it records."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tentative.audit.models import AuditEntry
from tentative.bookings import actions, errors
from tentative.bookings.models import Booking
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.inventory.models import CapacityPool
from tentative.outbox.models import OutboxMessage
from tentative.shared import errors as shared_errors
from tests.factories import book, on_sale, staff

pytestmark = pytest.mark.django_db


def taken(date) -> int:
    return CapacityPool.objects.get(event_date=date, ticket_type=None).taken


def test_an_option_takes_places_and_states_its_deadline(org):
    date, ticket = on_sale(org, capacity=10, deadline_days_before_start=2)
    booking = book(staff(org), date, ticket, quantity=3)
    assert booking.state == State.OPTION and booking.holds_capacity
    assert taken(date) == 3
    assert booking.deadline_rule == "5 days after booking, capped at 2 days before the event"
    assert booking.deadline_enforced == booking.deadline_shown
    assert AuditEntry.objects.filter(booking=booking, action="create").count() == 1
    assert OutboxMessage.objects.filter(booking=booking, topic="booking.created").count() == 1


def test_a_quote_takes_nothing_and_converting_takes_places(org):
    date, ticket = on_sale(org, capacity=10)
    owner = staff(org)
    quote = book(owner, date, ticket, mode=State.QUOTE, quantity=4)
    assert taken(date) == 0 and not quote.holds_capacity
    actions.convert_booking(quote.id, actor=owner, target=State.OPTION)
    assert taken(date) == 4


def test_converting_a_quote_is_refused_when_the_places_are_gone(org):
    date, ticket = on_sale(org, capacity=5)
    owner = staff(org)
    quote = book(owner, date, ticket, mode=State.QUOTE, quantity=4)
    book(owner, date, ticket, mode=State.CONFIRMED, quantity=3)
    with pytest.raises(errors.SoldOut):
        actions.convert_booking(quote.id, actor=owner)
    assert Booking.objects.get(id=quote.id).state == State.QUOTE


def test_a_request_that_does_not_hold_is_rechecked_at_approval(org):
    date, ticket = on_sale(org, capacity=2, requires_approval=True, requests_hold_capacity=False)
    owner = staff(org)
    requests = [book(owner, date, ticket, mode=State.REQUEST, quantity=2) for _ in range(2)]
    assert taken(date) == 0
    actions.approve_booking(requests[0].id, actor=owner)
    with pytest.raises(errors.SoldOut):
        actions.approve_booking(requests[1].id, actor=owner)
    assert taken(date) == 2


def test_declining_a_holding_request_gives_its_places_back(org):
    date, ticket = on_sale(org, capacity=5, requires_approval=True)
    owner = staff(org)
    request = book(owner, date, ticket, mode=State.REQUEST, quantity=2)
    assert taken(date) == 2
    declined = actions.decline_booking(request.id, actor=owner, reason="18+ only")
    assert declined.state == State.DECLINED and taken(date) == 0
    entry = AuditEntry.objects.get(booking=request, action="decline")
    assert (entry.from_state, entry.to_state, entry.reason) == ("request", "declined", "18+ only")


def test_an_illegal_transition_is_refused_and_changes_nothing(org):
    date, ticket = on_sale(org)
    owner = staff(org)
    booking = book(owner, date, ticket, mode=State.CONFIRMED)
    with pytest.raises(errors.IllegalTransition):
        actions.approve_booking(booking.id, actor=owner)
    assert AuditEntry.objects.filter(booking=booking).count() == 1


def test_cancelling_a_firm_booking_needs_a_reason_and_a_manager(org):
    date, ticket = on_sale(org)
    booking = book(staff(org), date, ticket, mode=State.CONFIRMED, quantity=2)
    with pytest.raises(shared_errors.Forbidden):
        actions.cancel_booking(booking.id, actor=staff(org, Role.AGENT), reason="asked")
    with pytest.raises(shared_errors.ReasonRequired):
        actions.cancel_booking(booking.id, actor=staff(org, Role.MANAGER))
    actions.cancel_booking(booking.id, actor=staff(org, Role.MANAGER), reason="asked")
    assert taken(date) == 0


def test_another_organisations_booking_is_not_found(org):
    from tests.factories import OrganisationFactory

    date, ticket = on_sale(org)
    booking = book(staff(org), date, ticket)
    with pytest.raises(shared_errors.NotFound):
        actions.confirm_booking(booking.id, actor=staff(OrganisationFactory()))


def test_a_lapsed_option_never_blocks_a_new_booking_even_before_the_sweep(org):
    date, ticket = on_sale(org, capacity=3)
    owner = staff(org)
    now = timezone.now()
    lapsing = book(owner, date, ticket, quantity=3, now=now)
    later = lapsing.deadline_enforced + timedelta(seconds=1)
    fresh = book(owner, date, ticket, quantity=3, now=later)
    assert fresh.holds_capacity and taken(date) == 3
    assert Booking.objects.get(id=lapsing.id).state == State.EXPIRED


def test_a_lapsed_option_cannot_be_confirmed_but_can_be_reinstated(org):
    date, ticket = on_sale(org, capacity=3)
    owner = staff(org)
    option = book(owner, date, ticket, quantity=2)
    later = option.deadline_enforced + timedelta(minutes=1)
    with pytest.raises(errors.Lapsed):
        actions.confirm_booking(option.id, actor=owner, now=later)
    assert Booking.objects.get(id=option.id).state == State.OPTION  # the sweep's job, not ours
    reinstated = actions.reinstate_booking(option.id, actor=owner, reason="paid late", now=later)
    assert reinstated.state == State.CONFIRMED and taken(date) == 2


def test_extend_moves_the_deadline_and_records_why(org):
    date, ticket = on_sale(org)
    owner = staff(org)
    option = book(owner, date, ticket)
    until = option.deadline_shown + timedelta(days=3)
    extended = actions.extend_booking(option.id, actor=owner, until=until, reason="B2B client")
    assert extended.deadline_shown == extended.deadline_enforced == until
    assert AuditEntry.objects.get(booking=option, action="extend").reason == "B2B client"


@pytest.mark.parametrize(
    ("grace", "at_limit"),
    [
        (None, "review"),
        (None, "release"),
        (timedelta(days=1), "review"),
        (timedelta(days=2), "release"),
    ],
)
def test_extending_under_the_flexible_policy_keeps_the_flexible_treatment(org, grace, at_limit):
    """Issue 11 item 5: extending an option under flexible/review made it `release` at the
    new date, so its places went back by themselves; it keeps its grace and its action."""
    org.deadline_policy, org.deadline_grace, org.deadline_at_limit = "flexible", grace, at_limit
    org.save()
    date, ticket = on_sale(org)
    owner = staff(org)
    option = book(owner, date, ticket, quantity=2)
    assert option.at_limit == at_limit
    until = option.deadline_shown + timedelta(days=3)
    extended = actions.extend_booking(option.id, actor=owner, until=until)
    assert (extended.deadline_shown, extended.at_limit) == (until, at_limit)
    assert extended.deadline_enforced == (None if grace is None else until + grace)
    # Past the new date (and within any grace) the sweep leaves it to staff.
    assert actions.expire_lapsed(now=until + timedelta(hours=1)) == []
    assert Booking.objects.get(id=option.id).state == State.OPTION and taken(date) == 2


def test_a_deadline_that_cannot_be_met_is_refused_with_a_reason(org):
    date, ticket = on_sale(
        org, starts_at=timezone.now() + timedelta(days=1), deadline_days_before_start=2
    )
    with pytest.raises(errors.DeadlineUnreachable) as refused:
        book(staff(org), date, ticket)
    assert "already passed" in refused.value.text
    assert not Booking.objects.exists()


def test_a_line_must_fit_its_ticket_types_quota_too(org):
    date, ticket = on_sale(org, capacity=100, quota=2)
    owner = staff(org)
    book(owner, date, ticket, quantity=2)
    with pytest.raises(errors.SoldOut):
        book(owner, date, ticket, quantity=1)
    assert (
        taken(date) == 2
        and not Booking.objects.filter(state="option", holds_capacity=False).exists()
    )


def test_a_lapsed_but_unswept_option_can_still_be_cancelled_with_the_reason(org):
    date, ticket = on_sale(org, capacity=3)
    owner = staff(org)
    option = book(owner, date, ticket, quantity=2)
    later = option.deadline_enforced + timedelta(minutes=1)
    cancelled = actions.cancel_booking(option.id, actor=owner, reason="changed plans", now=later)
    assert cancelled.state == State.CANCELLED and taken(date) == 0
    assert actions.expire_booking(book(owner, date, ticket).id, actor=owner).state == "expired"


def test_a_quote_past_its_validity_can_no_longer_be_converted(org):
    date, ticket = on_sale(org)
    owner = staff(org)
    quote = book(owner, date, ticket, mode=State.QUOTE)
    with pytest.raises(errors.Lapsed):
        actions.convert_booking(
            quote.id, actor=owner, now=quote.deadline_enforced + timedelta(seconds=1)
        )
