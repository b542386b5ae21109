"""Reserves single-threaded: setting aside, booking from them, releasing, cancelling,
archiving, the scheduled release and its notice, the report and the ledger (seed 002)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tentative.audit.models import AuditEntry
from tentative.bookings import actions, errors
from tentative.bookings.models import Booking
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.inventory import errors as reserve_errors
from tentative.inventory.actions import (
    archive_reserve,
    configure_reserve,
    create_reserve,
    release_due_reserves,
    release_places,
    rename_reserve,
    restrict_reserve,
    schedule_release,
    set_allocation,
)
from tentative.inventory.capacity import Drift, reconcile
from tentative.inventory.models import CapacityPool, Reserve, ReserveDate
from tentative.inventory.selectors import date_report, reserve_users
from tentative.outbox.models import OutboxMessage
from tentative.shared import errors as shared_errors
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TicketTypeFactory,
    book,
    on_sale,
    staff,
)

pytestmark = pytest.mark.django_db


def general(date) -> CapacityPool:
    return CapacityPool.objects.get(event_date=date, ticket_type=None, reserve=None)


def pool_of(reserve, ticket=None) -> CapacityPool:
    pools = CapacityPool.objects.filter(reserve=reserve)
    return pools.get(ticket_type=ticket) if ticket else pools.get()


def allocate(actor, reserve, date, ticket, quantity, **kwargs):
    return set_allocation(
        reserve.id,
        actor=actor,
        event_date_id=date.id,
        ticket_type_id=ticket.id,
        quantity=quantity,
        **kwargs,
    )


def draw(actor, date, ticket, reserve, quantity=1, mode=State.CONFIRMED, **kwargs):
    return actions.create_booking(
        actor=actor,
        organisation_id=date.event.organisation_id,
        mode=mode,
        lines=[actions.LineRequest(date.id, ticket.id, quantity, reserve_id=reserve.id)],
        **kwargs,
    )


def reserve_audit(reserve) -> list[str]:
    return list(
        AuditEntry.objects.filter(booking=None, data__reserve=reserve.id)
        .order_by("id")
        .values_list("action", flat=True)
    )


# -- setting aside and booking from a reserve ------------------------------------------------


def test_places_set_aside_leave_general_sale_and_are_drawn_from_the_reserve(org):
    date, ticket = on_sale(org, capacity=10)
    owner = staff(org)
    reserve = create_reserve(org.id, actor=owner, name="Press")
    allocate(owner, reserve, date, ticket, 4)
    assert (general(date).set_aside, general(date).free) == (4, 6)
    book(owner, date, ticket, quantity=6, mode=State.CONFIRMED)
    with pytest.raises(errors.SoldOut):
        book(owner, date, ticket, quantity=1)  # general sale never eats reserved places
    draw(owner, date, ticket, reserve, quantity=3)
    assert (pool_of(reserve).capacity, pool_of(reserve).taken) == (4, 3)
    assert general(date).taken == 6  # the draw did not touch general sale
    with pytest.raises(errors.SoldOut):
        draw(owner, date, ticket, reserve, quantity=2)  # one left, never below zero
    with pytest.raises(reserve_errors.BelowDrawn) as below:
        allocate(owner, reserve, date, ticket, 2)
    assert "3 places have already been booked" in below.value.text
    release_places(reserve.id, actor=owner, event_date_id=date.id, ticket_type_id=ticket.id)
    assert (general(date).set_aside, general(date).free, pool_of(reserve).capacity) == (3, 1, 3)
    assert reserve_audit(reserve) == ["reserve.create", "reserve.allocate", "reserve.release"]


def test_a_reserve_only_takes_what_is_free(org):
    date, ticket = on_sale(org, capacity=10)
    owner = staff(org)
    press, artists = (create_reserve(org.id, actor=owner, name=n) for n in ("Press", "Artists"))
    book(owner, date, ticket, quantity=3)  # an option holds 3
    allocate(owner, press, date, ticket, 5)
    with pytest.raises(reserve_errors.NotEnoughFree) as short:
        allocate(owner, artists, date, ticket, 3)
    assert short.value.params == {"free": 2}
    assert general(date).set_aside == 5  # nothing moved
    assert not CapacityPool.objects.filter(reserve=artists, capacity__gt=0).exists()
    allocate(owner, artists, date, ticket, 2)
    assert general(date).free == 0
    allocate(owner, press, date, ticket, 1)  # shrinking gives back to general sale
    assert general(date).free == 4


def test_a_quota_counts_what_reserves_hold_of_its_ticket_type(org):
    date, ticket = on_sale(org, capacity=100, quota=10)
    owner = staff(org)
    reserve = create_reserve(org.id, actor=owner, name="Press")
    with pytest.raises(reserve_errors.NotEnoughFree) as short:
        allocate(owner, reserve, date, ticket, 11)
    assert short.value.params == {"free": 10}
    allocate(owner, reserve, date, ticket, 4)
    quota = CapacityPool.objects.get(event_date=date, ticket_type=ticket, reserve=None)
    assert (quota.set_aside, general(date).set_aside) == (4, 4)
    book(owner, date, ticket, quantity=6, mode=State.CONFIRMED)
    with pytest.raises(errors.SoldOut):
        book(owner, date, ticket, quantity=1)
    draw(owner, date, ticket, reserve, quantity=4)  # the quota's reserved share
    quota.refresh_from_db()
    assert (quota.taken, quota.set_aside) == (6, 4)


def test_a_booking_may_mix_general_sale_and_a_reserve(org):
    date, ticket = on_sale(org, capacity=10)
    owner = staff(org)
    reserve = create_reserve(org.id, actor=owner, name="Press")
    allocate(owner, reserve, date, ticket, 2)
    booking = actions.create_booking(
        actor=owner,
        organisation_id=org.id,
        mode=State.CONFIRMED,
        lines=[
            actions.LineRequest(date.id, ticket.id, 3),
            actions.LineRequest(date.id, ticket.id, 2, reserve_id=reserve.id),
        ],
    )
    assert Booking.objects.get(id=booking.id).lines.count() == 2
    assert (general(date).taken, pool_of(reserve).taken) == (3, 2)


def test_a_reserve_without_places_for_that_price_says_so(org):
    date, ticket = on_sale(org, capacity=10)
    other_price = TicketTypeFactory(event=date.event)
    owner = staff(org)
    reserve = create_reserve(org.id, actor=owner, name="Press")
    allocate(owner, reserve, date, ticket, 2)
    with pytest.raises(reserve_errors.ReserveEmpty):
        draw(owner, date, other_price, reserve)
    elsewhere = OrganisationFactory()
    foreign = create_reserve(elsewhere.id, actor=staff(elsewhere), name="X")
    with pytest.raises(shared_errors.NotFound):
        draw(owner, date, ticket, foreign)


def test_a_quote_from_a_reserve_takes_from_it_when_converted(org):
    date, ticket = on_sale(org, capacity=10)
    owner = staff(org)
    reserve = create_reserve(org.id, actor=owner, name="Press")
    allocate(owner, reserve, date, ticket, 2)
    quote = draw(owner, date, ticket, reserve, quantity=2, mode=State.QUOTE)
    assert pool_of(reserve).taken == 0
    allocate(owner, reserve, date, ticket, 1)
    with pytest.raises(errors.SoldOut):
        actions.convert_booking(quote.id, actor=owner)
    allocate(owner, reserve, date, ticket, 2)
    actions.convert_booking(quote.id, actor=owner)
    assert (pool_of(reserve).taken, general(date).taken) == (2, 0)


# -- giving places back ----------------------------------------------------------------------


def test_a_cancelled_booking_returns_its_places_to_the_reserve_by_default(org):
    date, ticket = on_sale(org, capacity=10)
    owner = staff(org)
    reserve = create_reserve(org.id, actor=owner, name="Press")
    allocate(owner, reserve, date, ticket, 4)
    booking = draw(owner, date, ticket, reserve, quantity=3)
    actions.cancel_booking(booking.id, actor=owner, reason="ill")
    pool = pool_of(reserve)
    assert (pool.capacity, pool.taken, general(date).set_aside, general(date).free) == (
        4,
        0,
        4,
        6,
    )


def test_a_cancelled_booking_can_return_its_places_to_general_sale(org):
    date, ticket = on_sale(org, capacity=10)
    owner = staff(org)
    reserve = create_reserve(
        org.id, actor=owner, name="Press", cancelled_places_to=Reserve.CancelledPlaces.GENERAL
    )
    allocate(owner, reserve, date, ticket, 4)
    booking = draw(owner, date, ticket, reserve, quantity=3)
    actions.cancel_booking(booking.id, actor=owner, reason="ill")
    pool = pool_of(reserve)
    assert (pool.capacity, pool.taken, general(date).set_aside, general(date).free) == (
        1,
        0,
        1,
        9,
    )
    assert ReserveDate.objects.get(reserve=reserve).released == 3
    assert reconcile() == []


def test_a_lapsed_option_from_a_reserve_gives_back_by_the_same_rule(org):
    date, ticket = on_sale(org, capacity=10)
    owner = staff(org)
    reserve = create_reserve(
        org.id, actor=owner, name="Press", cancelled_places_to=Reserve.CancelledPlaces.GENERAL
    )
    allocate(owner, reserve, date, ticket, 2)
    option = draw(owner, date, ticket, reserve, quantity=2, mode=State.OPTION)
    later = option.deadline_enforced + timedelta(minutes=1)
    assert actions.expire_lapsed(now=later) == [option.id]
    assert (pool_of(reserve).capacity, general(date).free) == (0, 10)


def test_general_sale_reclaims_nothing_from_a_reserve(org):
    """A lapsed option drawn from a reserve, returning to the reserve, leaves general sale
    as full as it was."""
    date, ticket = on_sale(org, capacity=3)
    owner = staff(org)
    reserve = create_reserve(org.id, actor=owner, name="Press")
    allocate(owner, reserve, date, ticket, 1)
    option = draw(owner, date, ticket, reserve, mode=State.OPTION)
    book(owner, date, ticket, quantity=2, mode=State.CONFIRMED)
    with pytest.raises(errors.SoldOut):
        book(owner, date, ticket, now=option.deadline_enforced + timedelta(minutes=1))
    assert Booking.objects.get(id=option.id).state == State.OPTION  # not reclaimed for it


# -- settings, archive, audit ---------------------------------------------------------------


def test_every_change_is_audited_and_no_op_changes_write_nothing(org):
    owner = staff(org)
    agent = MembershipFactory(organisation=org, role=Role.AGENT)
    reserve = create_reserve(org.id, actor=owner, name="Press")
    rename_reserve(reserve.id, actor=owner, name="Media")
    rename_reserve(reserve.id, actor=owner, name="Media")
    restrict_reserve(reserve.id, actor=owner, audience="selected", member_ids=[agent.id])
    restrict_reserve(reserve.id, actor=owner, audience="selected", member_ids=[agent.id])
    configure_reserve(reserve.id, actor=owner, kind="without_access")
    configure_reserve(reserve.id, actor=owner, kind="without_access")
    archive_reserve(reserve.id, actor=owner)
    archive_reserve(reserve.id, actor=owner)
    assert reserve_audit(reserve) == [
        "reserve.create",
        "reserve.rename",
        "reserve.restrict",
        "reserve.configure",
        "reserve.archive",
    ]
    entry = AuditEntry.objects.get(action="reserve.restrict")
    assert entry.data["members"] == [agent.id] and entry.actor_label == owner.label
    assert entry.booking is None and entry.organisation_id == org.id


def test_names_are_unique_among_live_reserves_and_input_is_checked(org):
    owner = staff(org)
    create_reserve(org.id, actor=owner, name="Press")
    with pytest.raises(reserve_errors.DuplicateReserveName):
        create_reserve(org.id, actor=owner, name="Press")
    with pytest.raises(shared_errors.InvalidInput):
        create_reserve(org.id, actor=owner, name="   ")
    with pytest.raises(shared_errors.InvalidInput):
        create_reserve(org.id, actor=owner, name="X", kind="sometimes")
    outsider = MembershipFactory(organisation=OrganisationFactory())
    with pytest.raises(shared_errors.InvalidInput):
        create_reserve(org.id, actor=owner, name="X", audience="selected", member_ids=[outsider.id])
    assert Reserve.objects.count() == 1


def test_archiving_releases_what_is_not_booked_and_keeps_bookings(org):
    date, ticket = on_sale(org, capacity=10)
    owner = staff(org)
    reserve = create_reserve(org.id, actor=owner, name="Press")
    allocate(owner, reserve, date, ticket, 5)
    booking = draw(owner, date, ticket, reserve, quantity=2)
    archive_reserve(reserve.id, actor=owner)
    assert (pool_of(reserve).capacity, general(date).set_aside, general(date).free) == (2, 2, 8)
    with pytest.raises(reserve_errors.ReserveArchived):
        draw(owner, date, ticket, reserve)
    with pytest.raises(reserve_errors.ReserveArchived):
        allocate(owner, reserve, date, ticket, 3)
    actions.cancel_booking(booking.id, actor=owner, reason="ill")  # an archive keeps nothing
    assert (pool_of(reserve).capacity, general(date).set_aside, general(date).free) == (0, 0, 10)
    create_reserve(org.id, actor=owner, name="Press")  # the name is free again


def test_dates_that_are_not_on_sale_or_have_started_are_refused(org):
    owner = staff(org)
    reserve = create_reserve(org.id, actor=owner, name="Press")
    date, ticket = on_sale(org, capacity=10)
    general(date).delete()
    with pytest.raises(shared_errors.InvalidInput, match="not on sale"):
        allocate(owner, reserve, date, ticket, 1)
    date, ticket = on_sale(org, capacity=10)
    with pytest.raises(shared_errors.InvalidInput, match="started"):
        allocate(owner, reserve, date, ticket, 1, now=date.starts_at)
    with pytest.raises(shared_errors.InvalidInput):
        allocate(owner, reserve, date, ticket, -1)
    with pytest.raises(reserve_errors.ReleaseTooMany):
        allocate(owner, reserve, date, ticket, 2)
        release_places(
            reserve.id, actor=owner, event_date_id=date.id, ticket_type_id=ticket.id, quantity=3
        )
    assert pool_of(reserve).capacity == 2


# -- the scheduled release and its notice ---------------------------------------------------


def test_undrawn_places_go_back_at_the_scheduled_time_after_a_notice_the_day_before(org):
    starts = datetime(2027, 3, 30, 18, 0, tzinfo=UTC)  # Paris moves to summer time on 28 March
    now = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    date, ticket = on_sale(org, capacity=10, starts_at=starts)
    owner = staff(org)
    reserve = create_reserve(org.id, actor=owner, name="Press")
    allocate(owner, reserve, date, ticket, 5, now=now)
    draw(owner, date, ticket, reserve, quantity=2, now=now)
    release_at = datetime(2027, 3, 28, 18, 0, tzinfo=UTC)  # 20:00 in Paris, summer time
    row = schedule_release(
        reserve.id, actor=owner, event_date_id=date.id, release_at=release_at, now=now
    )
    # The calendar day before at the same wall-clock time: 20:00 winter time, 19:00 UTC.
    assert row.notice_at == datetime(2027, 3, 27, 19, 0, tzinfo=UTC)

    assert release_due_reserves(now=row.notice_at - timedelta(seconds=1)).noticed == {}
    outcome = release_due_reserves(now=row.notice_at)
    assert outcome.noticed == {row.id: 3} and outcome.released == {}
    soon = OutboxMessage.objects.get(topic="reserve.release_soon")
    assert soon.booking is None and soon.kind == "event"
    assert soon.payload["reserve"] == reserve.id and soon.payload["left"] == 3
    assert release_due_reserves(now=row.notice_at + timedelta(hours=1)).noticed == {}

    assert release_due_reserves(now=release_at - timedelta(seconds=1)).released == {}
    assert general(date).free == 5
    outcome = release_due_reserves(now=release_at)
    assert outcome.released == {row.id: 3}
    assert (pool_of(reserve).capacity, general(date).set_aside, general(date).free) == (2, 2, 8)
    released = OutboxMessage.objects.get(topic="reserve.released")
    assert released.payload["released"] == 3 and released.payload["event_date"] == date.id
    assert reserve_audit(reserve)[-1] == "reserve.release_due"
    assert AuditEntry.objects.get(action="reserve.release_due").actor_kind == "system"
    assert release_due_reserves(now=release_at + timedelta(days=1)).released == {}
    assert OutboxMessage.objects.filter(topic__startswith="reserve.").count() == 2
    report = date_report(date)
    assert report.reserves[0].released == 3 and report.reserves[0].released_at == release_at
    # Past its cut-off the reserve keeps nothing: a cancelled place goes to general sale.
    booking = Booking.objects.get(lines__event_date=date)
    actions.cancel_booking(booking.id, actor=owner, reason="ill", now=release_at)
    assert (pool_of(reserve).capacity, general(date).set_aside, general(date).free) == (0, 0, 10)
    assert ReserveDate.objects.get(id=row.id).released == 5


def test_a_reserve_release_default_applies_to_new_dates_and_no_notice_when_all_drawn(org):
    owner = staff(org)
    reserve = create_reserve(org.id, actor=owner, name="Press", release_before=timedelta(hours=48))
    date, ticket = on_sale(org, capacity=10)
    now = timezone.now()
    allocate(owner, reserve, date, ticket, 2, now=now)
    row = ReserveDate.objects.get(reserve=reserve, event_date=date)
    assert row.release_at == date.starts_at - timedelta(hours=48)
    draw(owner, date, ticket, reserve, quantity=2, now=now)
    assert release_due_reserves(now=row.notice_at).noticed == {}  # nothing left to warn of
    assert release_due_reserves(now=row.release_at).released == {row.id: 0}
    late, late_ticket = on_sale(org, capacity=10, starts_at=now + timedelta(hours=24))
    allocate(owner, reserve, late, late_ticket, 2, now=now)  # after its cut-off: stays
    assert ReserveDate.objects.get(reserve=reserve, event_date=late).release_at is None


def test_a_release_time_must_be_in_the_future_and_before_the_date(org):
    date, _ = on_sale(org, capacity=10)
    owner = staff(org)
    reserve = create_reserve(org.id, actor=owner, name="Press")
    now = timezone.now()
    for when in (now - timedelta(minutes=1), date.starts_at):
        with pytest.raises(shared_errors.InvalidInput):
            schedule_release(
                reserve.id, actor=owner, event_date_id=date.id, release_at=when, now=now
            )
    schedule_release(reserve.id, actor=owner, event_date_id=date.id, release_at=None, now=now)
    assert ReserveDate.objects.get(reserve=reserve).release_at is None


def test_notices_go_to_the_reserves_users_and_the_owner(org):
    owner = MembershipFactory(organisation=org, role=Role.OWNER)
    manager = MembershipFactory(organisation=org, role=Role.MANAGER)
    agent = MembershipFactory(organisation=org, role=Role.AGENT)
    gone = MembershipFactory(organisation=org, role=Role.AGENT, user__is_active=False)
    MembershipFactory(organisation=OrganisationFactory(), role=Role.OWNER)
    actor = staff(org, Role.MANAGER)
    everyone = create_reserve(org.id, actor=actor, name="All")
    selected = create_reserve(
        org.id, actor=actor, name="Some", audience="selected", member_ids=[agent.id, gone.id]
    )
    who = get_user_model().objects.get
    assert set(reserve_users(everyone.id)) == {
        owner.user,
        manager.user,
        agent.user,
        who(id=actor.user_id),
    }
    assert set(reserve_users(selected.id)) == {owner.user, agent.user}


# -- the report and the ledger ---------------------------------------------------------------


def test_the_report_accounts_for_every_place(org):
    date, ticket = on_sale(org, capacity=50)
    owner = staff(org)
    press, artists = (create_reserve(org.id, actor=owner, name=n) for n in ("Press", "Artists"))
    allocate(owner, press, date, ticket, 10)
    allocate(owner, artists, date, ticket, 5)
    book(owner, date, ticket, quantity=7, mode=State.CONFIRMED)
    book(owner, date, ticket, quantity=3, mode=State.OPTION)
    draw(owner, date, ticket, press, quantity=4)
    draw(owner, date, ticket, artists, quantity=1, mode=State.OPTION)
    report = date_report(date)
    assert (report.capacity, report.sold, report.held, report.free) == (50, 11, 4, 25)
    by_name = {r.reserve_name: (r.assigned, r.drawn, r.left) for r in report.reserves}
    assert by_name == {"Press": (10, 4, 6), "Artists": (5, 1, 4)}
    assert report.capacity == report.sold + report.held + report.left_in_reserves + report.free


def test_reconcile_reports_and_repairs_set_aside_drift(org):
    date, ticket = on_sale(org, capacity=10)
    owner = staff(org)
    reserve = create_reserve(org.id, actor=owner, name="Press")
    allocate(owner, reserve, date, ticket, 4)
    CapacityPool.objects.filter(id=general(date).id).update(set_aside=1)
    assert reconcile() == [Drift(general(date).id, 1, 4, "set_aside")]
    with pytest.raises(CommandError):
        call_command("reconcile")
    call_command("reconcile", "--fix")
    assert general(date).set_aside == 4 and reconcile() == []


def test_the_release_command_runs_the_scheduled_release_now(org):
    date, ticket = on_sale(org, capacity=10)
    owner = staff(org)
    reserve = create_reserve(org.id, actor=owner, name="Press")
    allocate(owner, reserve, date, ticket, 4)
    release_at = date.starts_at - timedelta(hours=48)
    schedule_release(reserve.id, actor=owner, event_date_id=date.id, release_at=release_at)
    out = StringIO()
    call_command("release_reserves", stdout=out)
    assert out.getvalue().strip() == "released=0 places=0 noticed=0"
    with time_machine.travel(release_at, tick=False):
        call_command("release_reserves", stdout=out)
    assert out.getvalue().splitlines()[-1] == "released=1 places=4 noticed=0"
    assert general(date).free == 10


def test_a_lapsed_draw_whose_place_goes_to_general_sale_never_blocks_general_sale(org):
    """Invariant 6 across pools: the option holds the reserve's pool, but expiring it gives
    its place to general sale, so a full general pool must reclaim it inline."""
    date, ticket = on_sale(org, capacity=3)
    owner = staff(org)
    reserve = create_reserve(
        org.id, actor=owner, name="Press", cancelled_places_to=Reserve.CancelledPlaces.GENERAL
    )
    allocate(owner, reserve, date, ticket, 1)
    option = draw(owner, date, ticket, reserve, mode=State.OPTION)
    book(owner, date, ticket, quantity=2, mode=State.CONFIRMED)
    later = option.deadline_enforced + timedelta(minutes=1)
    fresh = book(owner, date, ticket, now=later)
    assert fresh.holds_capacity
    assert Booking.objects.get(id=option.id).state == State.EXPIRED
    assert general(date).taken == 3
