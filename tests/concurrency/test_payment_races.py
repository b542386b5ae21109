"""DESIGN §2.2 #4 under a crowd (PostgreSQL, real parallelism):

- 200 concurrent deliveries of one provider notification capture the payment once: one
  event row, one outbox event, one confirmation of the booking. The control removes the
  payment's row lock and shows the same crowd applying it more than once, so the test can
  fail.
- 32 threads refunding 10.00 each from a payment that captured 100.00: exactly ten
  succeed, and in SQL the payment's refunded sum equals its refunds and never exceeds what
  it captured.
"""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.db import connection

from tentative.core.states import State
from tentative.payments import actions, errors
from tentative.payments.models import Payment
from tests.concurrency.threads import race
from tests.conftest import on_postgres
from tests.factories import book, on_sale, staff
from tests.payments.helpers import notification

# The module, not the function of the same name that the package exports.
receiving = importlib.import_module("tentative.payments.actions.apply_notification")

pytestmark = [pytest.mark.django_db(transaction=True), on_postgres]

APPLIED_SQL = """
SELECT (SELECT COUNT(*) FROM payments_providerevent WHERE payment_id = %(id)s),
       (SELECT COUNT(*) FROM outbox_outboxmessage o
         WHERE o.booking_id = %(booking)s AND o.topic = 'payment.captured'),
       (SELECT COUNT(*) FROM audit_auditentry a
         WHERE a.booking_id = %(booking)s AND a.action = 'confirm')
"""


def crowd(org, *, threads: int = 64, deliveries: int = 200):  # type: ignore[no-untyped-def]
    date, ticket = on_sale(org, capacity=10)
    booking = book(staff(org), date, ticket, quantity=2, mode=State.OPTION)
    payment = actions.record_payment(
        booking.id, actor=staff(org), amount=Decimal("40"), method="card"
    )
    body, headers = notification(payment, "captured", event_id="evt_same")
    outcomes = race(
        [
            ("deliver", lambda: actions.receive_notification("simulated", body, headers))
            for _ in range(deliveries)
        ],
        threads=threads,
    )
    assert not outcomes.unexpected, outcomes.unexpected[:3]
    with connection.cursor() as cursor:
        cursor.execute(APPLIED_SQL, {"id": payment.id, "booking": booking.id})
        return cursor.fetchone(), outcomes


def test_200_concurrent_deliveries_of_one_notification_apply_it_once(org):
    (events, captured_events, confirmations), outcomes = crowd(org)
    assert (events, captured_events, confirmations) == (1, 1, 1), outcomes.counts
    assert outcomes.counts["ok:deliver"] == 200


def test_control_without_the_row_lock_the_crowd_applies_it_more_than_once(org, monkeypatch):
    """Two things keep a notification applied once: the payment's row lock, under which
    the event ledger is read, and the ledger's unique event id. Without both, the crowd
    applies it several times."""

    class Unlocked:
        def __init__(self, queryset):  # type: ignore[no-untyped-def]
            self.queryset = queryset

        def select_for_update(self, **_):  # type: ignore[no-untyped-def]
            return self.queryset

    real_manager = Payment.objects
    monkeypatch.setattr(receiving, "Payment", type("P", (), {"objects": Unlocked(real_manager)}))
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE payments_providerevent DROP CONSTRAINT one_event_per_id")
    try:
        (events, captured_events, _), outcomes = crowd(org, threads=32, deliveries=64)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM payments_providerevent")
            cursor.execute(
                "ALTER TABLE payments_providerevent ADD CONSTRAINT one_event_per_id "
                "UNIQUE (provider, event_id)"
            )
    assert events > 1 or captured_events > 1, outcomes.counts


REFUND_SQL = """
SELECT p.captured, p.refunded, COALESCE(SUM(r.amount), 0)
  FROM payments_payment p LEFT JOIN payments_refund r ON r.payment_id = p.id
 WHERE p.id = %s GROUP BY p.id
"""


def test_32_threads_refunding_at_once_never_exceed_what_was_captured(org):
    date, ticket = on_sale(org, capacity=10, price=Decimal("50"))
    owner = staff(org)
    booking = book(owner, date, ticket, quantity=2, mode=State.CONFIRMED)
    payment = actions.record_payment(booking.id, actor=owner, amount=Decimal("100"))
    outcomes = race(
        [
            (
                "refund",
                lambda: actions.refund_payment(
                    payment.reference, actor=owner, amount=Decimal("10")
                ),
            )
            for _ in range(30)
        ],
        threads=32,
        accept=(errors.RefundTooLarge,),
    )
    assert not outcomes.unexpected, outcomes.unexpected[:3]
    assert outcomes.counts["ok:refund"] == 10 and outcomes.counts["RefundTooLarge"] == 20
    with connection.cursor() as cursor:
        cursor.execute(REFUND_SQL, [payment.id])
        captured, refunded, refunds = cursor.fetchone()
    assert refunded == refunds == captured == Decimal("100")
