"""Issue 10 item 4 under real parallelism (PostgreSQL): staff approve, decline and cancel
while the worker's charge-after-approval pass runs, round after round; then, in SQL:

- a declined request was never charged (nothing captured, its authorisation voided);
- an option cancelled before its capture confirmed it keeps no money (a capture in flight
  when it was cancelled was refunded at once);
- no authorisation is left held for a booking that ended, no payment captured twice, and
  every request that was approved and not cancelled is confirmed and paid.

The control takes away the two things that keep this — the claim's re-check of the booking
under its row lock, and the refund of a capture that lands on an ended booking — and the
same race leaves money on cancelled options.
"""

from __future__ import annotations

import importlib

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone

from tentative.bookings import actions as bookings
from tentative.core.states import State
from tentative.payments import actions
from tentative.payments.models import AfterApproval
from tentative.payments.providers import simulated
from tentative.payments.providers.simulated import Choice
from tentative.shared.errors import CapacityBusy
from tests.concurrency.threads import ACCEPTABLE, race
from tests.conftest import on_postgres
from tests.factories import book, on_sale, staff

pytestmark = [pytest.mark.django_db(transaction=True), on_postgres]

# The module, not the function of the same name that the package exports.
collecting = importlib.import_module("tentative.payments.actions.collect_after_approval")
confirming = importlib.import_module("tentative.payments.actions._confirm")
ROUNDS = 25

VIOLATIONS_SQL = """
WITH money AS (
  SELECT p.booking_id, SUM(p.captured) AS captured, SUM(p.captured - p.refunded) AS kept,
         COUNT(*) FILTER (WHERE p.state = 'authorised') AS held
    FROM payments_payment p JOIN bookings_booking b ON b.id = p.booking_id
   WHERE b.organisation_id = %(org)s GROUP BY p.booking_id
)
SELECT
  (SELECT COUNT(*) FROM money JOIN bookings_booking b ON b.id = money.booking_id
    WHERE b.state = 'declined' AND money.captured > 0),
  (SELECT COUNT(*) FROM money JOIN audit_auditentry a ON a.booking_id = money.booking_id
    WHERE a.action = 'cancel' AND a.from_state = 'option' AND money.kept > 0),
  (SELECT COUNT(*) FROM money JOIN bookings_booking b ON b.id = money.booking_id
    WHERE b.state IN ('declined', 'cancelled', 'expired') AND money.held > 0),
  (SELECT COUNT(*) FROM (SELECT e.payment_id FROM payments_providerevent e
                           JOIN payments_payment p ON p.id = e.payment_id
                          WHERE p.organisation_id = %(org)s AND e.kind = 'captured'
                          GROUP BY e.payment_id HAVING COUNT(*) > 1) twice),
  (SELECT COUNT(*) FROM money JOIN bookings_booking b ON b.id = money.booking_id
    WHERE b.state IN ('option', 'request')
       OR (b.state = 'confirmed' AND money.kept <> b.total))
"""


def authorised_request(org, owner, ticket, date):  # type: ignore[no-untyped-def]
    request = book(owner, date, ticket, mode=State.REQUEST, quantity=2)
    payment = actions.authorise_request(request.id, actor=owner)
    note = simulated.checkout(payment, Choice.SUCCESS, now=timezone.now())
    actions.apply_notification("simulated", note)  # type: ignore[arg-type]
    return request


def pass_() -> int:
    return actions.collect_after_approval(now=timezone.now())


def rounds(org) -> tuple[list[int], dict[str, int]]:  # type: ignore[no-untyped-def]
    """Each round: a request that staff approve and decline at once, and an approved one
    that staff cancel, while two passes run; then passes until there is nothing left."""
    owner = staff(org)
    date, ticket = on_sale(
        org, capacity=1000, requires_approval=True, approval_charge="authorise", decision_days=3
    )
    counts: dict[str, int] = {}
    for _ in range(ROUNDS):
        contested = authorised_request(org, owner, ticket, date)
        approved = authorised_request(org, owner, ticket, date)
        bookings.approve_booking(approved.id, actor=owner)
        outcomes = race(
            [
                ("approve", lambda b=contested: bookings.approve_booking(b.id, actor=owner)),
                ("decline", lambda b=contested: bookings.decline_booking(b.id, actor=owner)),
                (
                    "cancel",
                    lambda b=approved: bookings.cancel_booking(b.id, actor=owner, reason="r"),
                ),
                ("pass", pass_),
                ("pass", pass_),
            ],
            threads=5,
            accept=(*ACCEPTABLE, CapacityBusy),
        )
        assert not outcomes.unexpected, outcomes.unexpected[:3]
        for name, n in outcomes.counts.items():
            counts[name] = counts.get(name, 0) + n
        for _ in range(5):
            if pass_() == 0:
                break
    with connection.cursor() as cursor:
        cursor.execute(VIOLATIONS_SQL, {"org": org.id})
        return list(cursor.fetchone()), counts


def test_approve_decline_and_cancel_racing_the_worker_never_charge_a_refusal(org):
    violations, counts = rounds(org)
    assert violations == [0, 0, 0, 0, 0], (violations, counts)
    # Both ends of the approve/decline race were met, and captures did happen.
    assert counts["ok:approve"] and counts["ok:decline"], counts
    assert AfterApproval.objects.filter(outcome="captured").exists()
    assert AfterApproval.objects.filter(outcome="voided").exists()


def test_control_without_the_recheck_and_the_refund_cancelled_options_keep_money(org, monkeypatch):
    def unchecked(payment, step, states, now):  # type: ignore[no-untyped-def]
        """The claim as a naive job would write it: decide on the list read at the start
        of the pass, without re-reading the booking under its lock."""
        try:
            row = AfterApproval.objects.create(
                booking_id=payment.booking_id,
                payment=payment,
                step=step,
                claimed_until=now + collecting.LEASE,
                created_at=now,
            )
        except IntegrityError:  # the other pass claimed it first
            return None
        return row.id

    real_refund = confirming._refund_late

    def no_refund_when_ended(payment, *, actor, now, reason=confirming.LATE):  # type: ignore[no-untyped-def]
        if reason != confirming.LATE:
            return
        real_refund(payment, actor=actor, now=now, reason=reason)

    monkeypatch.setattr(collecting, "_claim", unchecked)
    monkeypatch.setattr(confirming, "_refund_late", no_refund_when_ended)
    violations, counts = rounds(org)
    assert violations[1] > 0, (violations, counts)
