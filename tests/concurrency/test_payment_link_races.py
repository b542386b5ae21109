"""A payment link paid by card (PostgreSQL, real parallelism): the customer's return page
(which asks the processor and applies its answer under its own event id) and the
processor's signed notifications, posted many times at once, count the money once: one
`payment.captured` event, one confirmation. The control removes the payment's row lock
and the ledger's unique event id, and the same crowd counts it more than once."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.utils import timezone

from tentative.core.states import State
from tentative.payments import actions
from tentative.payments.models import Payment, SimulatedDelivery
from tentative.payments.providers import simulated
from tests.concurrency.threads import race
from tests.conftest import on_postgres
from tests.factories import book, on_sale, staff

applying = importlib.import_module("tentative.payments.actions.apply_notification")

pytestmark = [pytest.mark.django_db(transaction=True), on_postgres]

COUNTS_SQL = """
SELECT (SELECT COUNT(*) FROM outbox_outboxmessage o
         WHERE o.booking_id = %(booking)s AND o.topic = 'payment.captured'),
       (SELECT COUNT(*) FROM audit_auditentry a
         WHERE a.booking_id = %(booking)s AND a.action = 'confirm'),
       (SELECT captured FROM payments_payment WHERE id = %(payment)s)
"""


def crowd(org, *, threads: int = 32, each: int = 40):  # type: ignore[no-untyped-def]
    date, ticket = on_sale(org, capacity=10)
    option = book(staff(org), date, ticket, quantity=2, mode=State.OPTION)
    link = actions.create_payment_request(option.id, actor=staff(org))
    payment = actions.pay_request(link.token)
    simulated.checkout(payment, simulated.Choice.SUCCESS, now=timezone.now())
    captured = SimulatedDelivery.objects.get(payment=payment, state="captured")

    def post() -> object:
        body, headers = simulated.signed(captured, now=timezone.now())
        return actions.receive_notification("simulated", body, headers)

    outcomes = race(
        [("return", lambda: actions.apply_return(payment.reference)) for _ in range(each)]
        + [("notify", post) for _ in range(each)],
        threads=threads,
    )
    assert not outcomes.unexpected, outcomes.unexpected[:3]
    with connection.cursor() as cursor:
        cursor.execute(COUNTS_SQL, {"booking": option.id, "payment": payment.id})
        return cursor.fetchone(), outcomes


def test_the_return_page_and_the_notifications_at_once_count_the_money_once(org):
    (captured_events, confirmations, captured), outcomes = crowd(org)
    assert (captured_events, confirmations) == (1, 1), outcomes.counts
    assert captured == 40
    assert outcomes.counts["ok:return"] == outcomes.counts["ok:notify"] == 40


def test_control_without_the_row_lock_and_the_unique_event_id_it_counts_twice(org, monkeypatch):
    class Unlocked:
        def __init__(self, queryset):  # type: ignore[no-untyped-def]
            self.queryset = queryset

        def select_for_update(self, **_):  # type: ignore[no-untyped-def]
            return self.queryset

    monkeypatch.setattr(applying, "Payment", type("P", (), {"objects": Unlocked(Payment.objects)}))
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE payments_providerevent DROP CONSTRAINT one_event_per_id")
    try:
        (captured_events, _, _), outcomes = crowd(org)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM payments_providerevent")
            cursor.execute(
                "ALTER TABLE payments_providerevent ADD CONSTRAINT one_event_per_id "
                "UNIQUE (provider, event_id)"
            )
    assert captured_events > 1, outcomes.counts
