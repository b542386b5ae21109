"""The appointments engine (issue 13): free slots from hours and claims, the bad-input
refusals (nothing written), approval below N hours, several requests for one slot."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from tentative.audit.models import AuditEntry
from tentative.bookings import actions, errors, selectors
from tentative.bookings.models import Booking
from tentative.catalog.actions.create_service import create_service
from tentative.catalog.actions.update_service import update_service
from tentative.catalog.errors import InvalidTerms
from tentative.core.states import State
from tentative.inventory.models import TimeClaim
from tentative.outbox.models import OutboxMessage
from tentative.shared import errors as shared_errors
from tentative.shared.actor import Actor
from tests.appointments.factories import day_off, extra_hours, working_hours
from tests.factories import CustomerFactory, service, staff, staff_member

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
MONDAY = datetime(2031, 3, 3, tzinfo=PARIS)  # a Monday
NOW = datetime(2031, 3, 1, 12, tzinfo=PARIS)  # Saturday noon, two days before
H = timedelta(hours=1)


def at(h: int, m: int = 0, day: datetime = MONDAY) -> datetime:
    return day.replace(hour=h, minute=m)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def alice(org):
    return working_hours(staff_member(org, "Alice"))


@pytest.fixture
def bob(org):
    return working_hours(staff_member(org, "Bob"), weekdays=[0], ranges=[(time(10), time(13))])


@pytest.fixture
def haircut(org, alice, bob):
    return service(org, alice, bob, slot_step=timedelta(minutes=30), min_notice=2 * H)


def request(actor, offer, resource, starts_at, mode=State.REQUEST, customer=None):
    return actions.create_booking(
        actor=actor,
        organisation_id=offer.organisation_id,
        mode=mode,
        customer_id=customer.id if customer else None,
        lines=[actions.SlotRequest(offer.id, resource.id, starts_at)],
        now=NOW,
    )


def walls(slots) -> list[str]:
    return [s.starts_at.astimezone(PARIS).strftime("%H:%M") for s in slots]


def test_free_slots_are_working_hours_minus_claims_on_the_grid(
    org, alice, haircut, django_assert_max_num_queries
):
    owner = staff(org)
    request(owner, haircut, alice, at(10), mode=State.CONFIRMED)
    with django_assert_max_num_queries(3):
        slots = selectors.free_slots(
            haircut, resource=alice.id, start=at(0), end=at(0) + 24 * H, now=NOW
        )
    assert walls(slots) == [
        "09:00",
        # 09:30 to 10:30 meet the 10:00–11:00 appointment
        "11:00",
        "14:00", "14:30", "15:00", "15:30", "16:00", "16:30", "17:00",
    ]  # fmt: skip


def test_any_staff_member_lists_each_free_time_with_who_is_free(org, alice, bob, haircut):
    owner = staff(org)
    request(owner, haircut, bob, at(10), mode=State.CONFIRMED)
    slots = selectors.free_slots(haircut, start=at(0), end=at(0) + 24 * H, now=NOW)
    by_time = {
        t.astimezone(PARIS).strftime("%H:%M"): sorted(ids)
        for t, ids in selectors.by_start(slots).items()
    }
    assert by_time["09:00"] == [alice.id]
    assert by_time["11:00"] == sorted([alice.id, bob.id])  # Bob: 11:00–12:00 fits before 13:00
    assert by_time["12:00"] == [bob.id]
    assert "10:00" not in by_time or by_time["10:00"] == [alice.id]


def test_days_off_and_extra_hours_change_the_free_slots(org, alice, haircut):
    day_off(alice, MONDAY.date())
    extra_hours(alice, MONDAY.date() + timedelta(days=5), time(10), time(12))  # a Saturday
    week = selectors.free_slots(
        haircut, resource=alice.id, start=at(0), end=at(0) + 7 * 24 * H, now=NOW
    )
    days = {s.starts_at.astimezone(PARIS).date() for s in week}
    assert MONDAY.date() not in days
    assert MONDAY.date() + timedelta(days=5) in days
    assert MONDAY.date() + timedelta(days=6) not in days  # Sunday: no hours


def test_notice_and_horizon_bound_the_free_slots(org, alice, haircut):
    haircut.horizon_days = 3
    haircut.save()
    now = at(8, 50)
    slots = selectors.free_slots(
        haircut, resource=alice.id, start=at(0), end=at(0) + 30 * 24 * H, now=now
    )
    assert slots[0].starts_at == at(11)  # 2 hours' notice: 10:50, on the grid 11:00
    assert max(s.starts_at for s in slots).astimezone(PARIS).date() == MONDAY.date() + timedelta(
        days=3
    )


BAD_INPUT = [
    ("outside_hours", at(12, 30), None),
    ("outside_hours", at(11, 30), None),  # would end after 12:00
    ("not_aligned", at(9, 10), None),
    ("day_off", at(10) + timedelta(days=6), None),  # Sunday
    ("notice", at(13, 30, day=NOW), "now_monday_12"),
    ("horizon", at(10) + timedelta(days=7 * 20), None),
    ("past", at(10) - timedelta(days=7), None),
]


@pytest.mark.parametrize(("code", "starts_at", "now"), BAD_INPUT)
def test_a_bad_time_is_refused_with_its_reason_and_nothing_is_written(
    org, alice, haircut, code, starts_at, now
):
    who = CustomerFactory(organisation=org)
    moment = NOW if now is None else at(12)
    if code == "notice":
        starts_at = at(13)  # an hour away, but the service needs two
    before = (Booking.objects.count(), TimeClaim.objects.count(), AuditEntry.objects.count())
    with pytest.raises(shared_errors.DomainError) as refused:
        actions.create_booking(
            actor=staff(org),
            organisation_id=org.id,
            mode=State.REQUEST,
            customer_id=who.id,
            lines=[actions.SlotRequest(haircut.id, alice.id, starts_at)],
            now=moment,
        )
    assert refused.value.code == (code if code != "past" else "invalid")
    assert refused.value.status == 422
    assert str(refused.value.text)  # a sentence, not a code
    after = (Booking.objects.count(), TimeClaim.objects.count(), AuditEntry.objects.count())
    assert after == before


def test_a_day_off_and_a_time_the_clocks_skip_are_refused(org, alice, haircut):
    day_off(alice, MONDAY.date())
    with pytest.raises(errors.UnbookableTime) as refused:
        request(staff(org), haircut, alice, at(10))
    assert refused.value.code == "day_off"
    assert "Alice is not working on" in refused.value.text
    # 28 March 2032 is a Sunday: give Alice Sunday night hours across the change.
    working_hours(alice, weekdays=[6], ranges=[(time(1), time(5))])
    haircut.horizon_days = 400
    haircut.save()
    skipped = datetime(2032, 3, 28, 2, 30, tzinfo=ZoneInfo("Etc/GMT-1"))  # 02:30+01:00
    with pytest.raises(errors.UnbookableTime) as refused:
        request(staff(org), haircut, alice, skipped)
    assert refused.value.code == "nonexistent_time"
    assert "does not exist" in refused.value.text
    fine = datetime(2032, 3, 28, 3, 0, tzinfo=PARIS)  # 03:00 CEST, right after the change
    assert request(staff(org), haircut, alice, fine).state == State.REQUEST


def test_staff_fit_someone_in_off_the_grid_but_not_outside_hours(org, alice, haircut):
    owner = staff(org)
    booking = request(owner, haircut, alice, at(9, 10), mode=State.CONFIRMED)
    assert booking.state == State.CONFIRMED
    with pytest.raises(errors.UnbookableTime):
        request(owner, haircut, alice, at(19), mode=State.CONFIRMED)
    # Still no overlap, whoever books.
    with pytest.raises(errors.SlotTaken):
        request(owner, haircut, alice, at(9, 40), mode=State.CONFIRMED)


def test_a_customer_is_held_to_every_rule(org, alice, haircut):
    from tentative.shared.actor import Actor

    who = Actor.customer(CustomerFactory(organisation=org))
    with pytest.raises(errors.UnbookableTime) as refused:
        request(who, haircut, alice, at(9, 10))
    assert refused.value.code == "not_aligned"


def test_a_staff_member_without_hours_is_not_restricted_by_hours(org):
    carol = staff_member(org, "Carol")
    offer = service(org, carol)
    booking = request(staff(org), offer, carol, at(23, 10), mode=State.CONFIRMED)
    assert booking.state == State.CONFIRMED
    assert selectors.free_slots(offer, start=at(0), end=at(0) + 24 * H, now=NOW) == []


def test_approval_only_below_n_hours_confirms_early_requests_at_once(org, alice):
    offer = service(
        org,
        alice,
        requires_approval=True,
        approval_note="We confirm late requests by hand.",
        approval_below_hours=24,
    )
    owner = staff(org)
    early = request(owner, offer, alice, at(10) + timedelta(days=1))  # Tuesday: 70 h ahead
    assert early.state == State.CONFIRMED
    with time_machine.travel(at(8) - timedelta(hours=12), tick=False):
        late = actions.create_booking(
            actor=owner,
            organisation_id=org.id,
            mode=State.REQUEST,
            lines=[actions.SlotRequest(offer.id, alice.id, at(10))],
            now=at(8) - timedelta(hours=12),
        )
    assert late.state == State.REQUEST


def test_several_may_request_the_slot_until_one_is_approved(org, alice):
    offer = service(
        org, alice, requires_approval=True, requests_hold_capacity=False, approval_note="x"
    )
    assert offer.several_may_request
    owner = staff(org)
    first, second, third = (
        request(owner, offer, alice, at(10, m), customer=CustomerFactory(organisation=org))
        for m in (0, 0, 0)
    )
    elsewhere = request(owner, offer, alice, at(15))
    slots = selectors.free_slots(offer, resource=alice.id, start=at(0), end=at(23), now=NOW)
    assert "10:00" in walls(slots)  # pending requests hold nothing
    actions.approve_booking(second.id, actor=owner, now=NOW)
    states = dict(Booking.objects.values_list("id", "state"))
    assert states[second.id] == State.CONFIRMED
    assert states[first.id] == states[third.id] == State.DECLINED
    assert states[elsewhere.id] == State.REQUEST  # another time: untouched
    declined = OutboxMessage.objects.filter(topic="booking.declined", kind="event")
    assert sorted(declined.values_list("booking_id", flat=True)) == sorted([first.id, third.id])
    assert all("accepted" in m.payload["reason"] for m in declined)
    slots = selectors.free_slots(offer, resource=alice.id, start=at(0), end=at(23), now=NOW)
    assert "10:00" not in walls(slots)


def test_a_pending_request_takes_the_slot_when_several_may_not_request(org, alice):
    offer = service(org, alice, requires_approval=True, approval_note="x")
    assert not offer.several_may_request
    request(staff(org), offer, alice, at(10))
    slots = selectors.free_slots(offer, resource=alice.id, start=at(0), end=at(23), now=NOW)
    assert "10:00" not in walls(slots)
    with pytest.raises(errors.SlotTaken):
        request(staff(org), offer, alice, at(10))


def test_rescheduling_a_request_checks_hours_and_keeps_the_note_private(org, alice, haircut):
    owner = staff(org)
    booking = request(owner, haircut, alice, at(10))
    with pytest.raises(errors.UnbookableTime):
        actions.move_booking(
            booking.id, actor=owner, to=actions.Destination(starts_at=at(20)), now=NOW
        )
    actions.move_booking(
        booking.id,
        actor=owner,
        to=actions.Destination(starts_at=at(15)),
        reason="Alice has a meeting (private)",
        message="See you at 3 pm.",
        now=NOW,
    )
    event = OutboxMessage.objects.get(booking=booking, topic="booking.moved", kind="event")
    assert event.payload["message"] == "See you at 3 pm."
    assert Booking.objects.get(id=booking.id).lines.get().starts_at == at(15)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"max_participants": 8}, "requires_approval"),
        ({"sold_in_packages": True}, "requires_approval"),
    ],
)
def test_approval_is_refused_for_classes_and_packages(org, extra, field):
    owner = staff(org)
    with pytest.raises(InvalidTerms) as refused:
        create_service(
            actor=owner,
            price=50,
            settings={
                "name": "Yoga",
                "duration": H,
                "requires_approval": True,
                "approval_note": "We approve each request.",
                **extra,
            },
        )
    assert field in refused.value.fields
    made = create_service(actor=owner, price=50, settings={"name": "Yoga", "duration": H, **extra})
    with pytest.raises(InvalidTerms):
        update_service(
            made.id,
            actor=owner,
            settings={"requires_approval": True, "approval_note": "We approve."},
        )


def test_free_slots_of_a_month_read_two_queries(org, alice, haircut, django_assert_num_queries):
    haircut = type(haircut).objects.select_related("organisation").get(id=haircut.id)
    with django_assert_num_queries(2):
        selectors.free_slots(haircut, start=at(0), end=at(0) + 31 * 24 * H, now=NOW)


def test_free_slots_are_utc_instants(org, alice, haircut):
    slots = selectors.free_slots(haircut, resource=alice.id, start=at(0), end=at(23), now=NOW)
    assert slots[0].starts_at == datetime(2031, 3, 3, 8, tzinfo=UTC)


def test_a_lapsed_option_does_not_take_a_free_slot(org, alice, haircut):
    """Invariant 6: past its enforced limit an option blocks nothing, before any sweep."""
    friday = MONDAY + timedelta(days=4)
    option = request(staff(org), haircut, alice, at(10, day=friday), mode=State.OPTION)
    later = option.deadline_enforced + timedelta(minutes=1)  # five days after booking
    assert later < at(9, day=friday)
    window = {"resource": alice.id, "start": at(0, day=friday), "end": at(23, day=friday)}
    before = selectors.free_slots(haircut, now=NOW, **window)
    after = selectors.free_slots(haircut, now=later, **window)
    assert "10:00" not in walls(before)
    assert "10:00" in walls(after)
    assert TimeClaim.objects.filter(active=True).count() == 1  # still active: not swept


def test_slot_refusal_says_why_a_start_is_not_free(org, alice, haircut):
    owner = staff(org)
    booked = request(owner, haircut, alice, at(10), mode=State.CONFIRMED)
    kw = {"resource_id": alice.id, "now": NOW}
    assert selectors.slot_refusal(haircut, starts_at=at(9), **kw) is None
    assert selectors.slot_refusal(haircut, starts_at=at(9, 15), **kw) == "not_aligned"
    assert selectors.slot_refusal(haircut, starts_at=at(12, 30), **kw) == "outside_hours"
    assert selectors.slot_refusal(haircut, starts_at=at(10, 30), check_busy=True, **kw) == "taken"
    # Moving a booking within its own time: its own claim is not in the way.
    assert (
        selectors.slot_refusal(
            haircut, starts_at=at(10, 30), check_busy=True, exclude_booking_id=booked.id, **kw
        )
        is None
    )


@pytest.mark.parametrize("held_by", [State.CONFIRMED, State.OPTION])
def test_a_request_for_a_time_a_booking_holds_is_refused(org, alice, held_by):
    offer = service(
        org,
        alice,
        requires_approval=True,
        requests_hold_capacity=False,
        approval_note="x",
        slot_step=timedelta(minutes=30),
    )
    owner = staff(org)
    request(owner, offer, alice, at(10), mode=held_by)
    customer = Actor.customer(CustomerFactory(organisation=org))
    for start in (at(10), at(9, 30), at(10, 30)):
        with pytest.raises(errors.SlotTaken):
            request(customer, offer, alice, start)
    with pytest.raises(errors.SlotTaken):  # whoever types it in
        request(owner, offer, alice, at(10))
    assert Booking.objects.count() == 1
    # Pending requests for a time do not stop another request for it.
    request(customer, offer, alice, at(14))
    request(customer, offer, alice, at(14))
    assert Booking.objects.filter(state=State.REQUEST).count() == 2


def test_approving_a_request_whose_time_was_taken_meanwhile_changes_nothing(org, alice):
    offer = service(
        org,
        alice,
        requires_approval=True,
        requests_hold_capacity=False,
        approval_note="x",
        slot_step=timedelta(minutes=30),
    )
    owner = staff(org)
    asked = request(owner, offer, alice, at(10), customer=CustomerFactory(organisation=org))
    taken = request(owner, offer, alice, at(10, 30), mode=State.CONFIRMED)
    before = (
        list(Booking.objects.order_by("id").values_list("id", "state", "holds_capacity")),
        list(TimeClaim.objects.order_by("id").values_list("id", "active")),
        AuditEntry.objects.count(),
        OutboxMessage.objects.count(),
    )
    with pytest.raises(errors.SlotTaken):
        actions.approve_booking(asked.id, actor=owner, now=NOW)
    with pytest.raises(errors.SlotTaken) as refused:
        actions.approve_booking(asked.id, actor=owner, now=NOW)
    with translation.override("fr"):
        assert "n’est plus libre" in refused.value.text
    after = (
        list(Booking.objects.order_by("id").values_list("id", "state", "holds_capacity")),
        list(TimeClaim.objects.order_by("id").values_list("id", "active")),
        AuditEntry.objects.count(),
        OutboxMessage.objects.count(),
    )
    assert after == before
    assert Booking.objects.get(id=taken.id).state == State.CONFIRMED
    # The bulk decision refuses it the same way: still waiting, nothing written.
    decided = actions.decide_requests([asked.id], decision=actions.Decision.ACCEPT, actor=owner)
    assert [d.outcome for d in decided] == [actions.Outcome.NO_PLACES]
    assert Booking.objects.get(id=asked.id).state == State.REQUEST


def test_a_request_is_not_moved_to_a_time_a_booking_holds(org, alice):
    offer = service(
        org,
        alice,
        requires_approval=True,
        requests_hold_capacity=False,
        approval_note="x",
        slot_step=timedelta(minutes=30),
    )
    owner = staff(org)
    asked = request(owner, offer, alice, at(14), customer=CustomerFactory(organisation=org))
    request(owner, offer, alice, at(10), mode=State.CONFIRMED)
    with pytest.raises(errors.SlotTaken):
        actions.move_booking(
            asked.id, actor=owner, to=actions.Destination(starts_at=at(10)), now=NOW
        )
    assert Booking.objects.get(id=asked.id).lines.get().starts_at == at(14)
    # A time nobody holds is still a wish it may move to.
    actions.move_booking(asked.id, actor=owner, to=actions.Destination(starts_at=at(15)), now=NOW)
    assert Booking.objects.get(id=asked.id).lines.get().starts_at == at(15)
