"""Repairing time claims that drifted from their bookings (`reconcile --fix`).

A claim must be active exactly when its booking holds; two active claims of one resource
never overlap (the database refuses it). The fix must respect that rule: give back before
taking, and leave a claim it cannot take (the time is someone else's) reported, not crash.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from tentative.bookings.models import Booking
from tentative.core.states import State
from tentative.inventory.capacity import reconcile
from tentative.inventory.claims import ClaimDrift
from tentative.inventory.models import TimeClaim
from tests.factories import book_slot, service, staff, staff_member

pytestmark = pytest.mark.django_db

NINE = (timezone.now() + timedelta(days=10)).replace(hour=9, minute=0, second=0, microsecond=0)


def claim_of(booking) -> TimeClaim:
    return TimeClaim.objects.get(line__booking=booking)


def test_the_fix_releases_before_it_takes_whatever_the_claims_order(org):
    """Drift that has a consistent repair: the slot's active claim belongs to a booking that
    no longer holds, and the booking that holds has an older, inactive claim on it."""
    alice = staff_member(org)
    haircut = service(org, alice, requests_hold_capacity=False)
    owner = staff(org)
    request = book_slot(owner, haircut, alice, NINE, mode=State.REQUEST)  # the lower claim id
    firm = book_slot(owner, haircut, alice, NINE, mode=State.CONFIRMED)
    # Drift, as a crash or a hand edit could leave it: the flags swapped, the claims not.
    Booking.objects.filter(id=request.id).update(holds_capacity=True)
    Booking.objects.filter(id=firm.id).update(holds_capacity=False)
    assert len(reconcile()) == 2
    reconcile(fix=True)
    assert reconcile() == []
    assert claim_of(request).active and not claim_of(firm).active
    # Put the flags back as their states say, and the claims with them.
    Booking.objects.filter(id=request.id).update(holds_capacity=False)
    Booking.objects.filter(id=firm.id).update(holds_capacity=True)
    reconcile(fix=True)
    assert reconcile() == []


def test_a_claim_the_fix_cannot_take_stays_reported(org):
    """Two bookings that both hold one time: no fix can activate both; it must say so and
    carry on, not stop with an IntegrityError half-way through the repair."""
    alice = staff_member(org)
    haircut = service(org, alice, requests_hold_capacity=False)
    owner = staff(org)
    # The request first: one for a time a booking already holds is refused.
    request = book_slot(owner, haircut, alice, NINE, mode=State.REQUEST)
    firm = book_slot(owner, haircut, alice, NINE, mode=State.CONFIRMED)
    Booking.objects.filter(id=request.id).update(holds_capacity=True)
    drifted = ClaimDrift(claim_of(request).id, active=False, holds=True)
    assert reconcile(fix=True) == [drifted]
    assert reconcile() == [drifted]  # still there: a double booking for a human to settle
    assert claim_of(firm).active and not claim_of(request).active
    Booking.objects.filter(id=request.id).update(holds_capacity=False)
    assert reconcile() == []
