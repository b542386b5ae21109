"""Issue 13: a request nobody answers reminds the staff member whose time it asks (or the
managers) before its decision deadline, then expires and tells the customer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tentative.bookings import actions
from tentative.bookings.models import Booking
from tentative.catalog.models import Resource
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.notifications.sweeps import sweep
from tentative.worker.loop import drain
from tests.factories import CustomerFactory, MembershipFactory, UserFactory, service

pytestmark = pytest.mark.django_db

T0 = datetime(2031, 3, 1, 9, 0, tzinfo=UTC)


def at(moment: datetime):  # type: ignore[no-untyped-def]
    return time_machine.travel(moment, tick=False)


def scene(org, *, with_account: bool):  # type: ignore[no-untyped-def]
    owner = MembershipFactory(
        organisation=org, role=Role.OWNER, user=UserFactory(email="owner@example.org")
    )
    MembershipFactory(organisation=org, role=Role.AGENT, user=UserFactory(email="desk@example.org"))
    account = None
    if with_account:
        account = MembershipFactory(
            organisation=org, role=Role.AGENT, user=UserFactory(email="lea@example.org")
        )
    lea = Resource.objects.create(
        organisation=org, kind=Resource.Kind.STAFF, name="Léa", membership=account
    )
    offer = service(
        org, lea, requires_approval=True, approval_note="We decide in two days.", decision_days=2
    )
    who = CustomerFactory(organisation=org, email="client@example.org", language="en")
    from tentative.shared.actor import Actor

    with at(T0):
        booking = actions.create_booking(
            actor=Actor.staff(owner),
            organisation_id=org.id,
            mode=State.REQUEST,
            customer_id=who.id,
            lines=[actions.SlotRequest(offer.id, lea.id, T0 + timedelta(days=10))],
        )
        drain()
    return booking


@pytest.mark.parametrize(
    ("with_account", "to"), [(True, "lea@example.org"), (False, "owner@example.org")]
)
def test_staff_are_reminded_then_the_customer_hears_the_request_expired(
    org, smtp, with_account, to
):
    booking = scene(org, with_account=with_account)
    deadline = Booking.objects.get(id=booking.id).deadline_enforced
    assert deadline == T0 + timedelta(days=2)
    with at(deadline - timedelta(hours=23)):
        assert sweep()["staff_warned"] == 1
        assert sweep()["staff_warned"] == 0  # once per deadline
        drain()
    [warning] = smtp.by_subject(f"Request {booking.reference} awaits your decision")
    assert warning["To"] == to
    with at(deadline + timedelta(minutes=1)):
        assert sweep()["expired"] == 1
        drain()
    assert Booking.objects.get(id=booking.id).state == State.EXPIRED
    assert [m["To"] for m in smtp.received if "client@example.org" in m["To"]]
    assert (
        smtp.by_subject("expired")
        or smtp.by_subject("Expired")
        or any("expired" in (m["Subject"] or "").lower() for m in smtp.received)
    )
