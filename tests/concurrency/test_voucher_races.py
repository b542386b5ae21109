"""A voucher's balance never goes negative (issue 10, "must prove"), PostgreSQL, real
parallelism: 32 threads redeem 10.00 each from one 100.00 code, each on a booking of its
own (so that nothing but the voucher's row lock stands between them). Exactly ten succeed;
in SQL, the ledger's sum is zero, never below, and equals what the voucher payments
captured. The control redeems without the voucher's row lock and takes the code below zero.
"""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.db import connection

from tentative.core.states import State
from tentative.payments import actions, errors
from tentative.payments.access import access_voucher
from tests.concurrency.threads import race
from tests.factories import book, on_sale, staff

redeeming = importlib.import_module("tentative.payments.actions.redeem_voucher")

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]

THREADS = 32

LEDGER_SQL = """
SELECT v.id,
       (SELECT COALESCE(SUM(e.amount), 0) FROM payments_voucherentry e WHERE e.voucher_id = v.id),
       (SELECT COALESCE(MIN(running), 0) FROM (
            SELECT SUM(e.amount) OVER (ORDER BY e.id) AS running
              FROM payments_voucherentry e WHERE e.voucher_id = v.id) AS r),
       (SELECT COALESCE(SUM(p.captured), 0) FROM payments_payment p
         WHERE p.provider = 'voucher' AND p.provider_reference = v.code
           AND p.organisation_id = v.organisation_id),
       (SELECT COALESCE(-SUM(e.amount), 0) FROM payments_voucherentry e
         WHERE e.voucher_id = v.id AND e.kind = 'redeem')
  FROM payments_voucher v WHERE v.code = %s
"""


def crowd(org):  # type: ignore[no-untyped-def]
    owner = staff(org)
    date, ticket = on_sale(org, capacity=THREADS, price=Decimal("20"))
    bookings = [book(owner, date, ticket, mode=State.OPTION) for _ in range(THREADS)]
    voucher = actions.issue_voucher(actor=owner, kind="coupon", amount=Decimal("100"))
    outcomes = race(
        [
            (
                "redeem",
                lambda b=b: actions.redeem_voucher(b.id, voucher.code, Decimal("10"), actor=owner),
            )
            for b in bookings
        ],
        threads=THREADS,
        accept=(errors.VoucherEmpty, errors.VoucherTooLarge),
    )
    assert not outcomes.unexpected, outcomes.unexpected[:3]
    with connection.cursor() as cursor:
        cursor.execute(LEDGER_SQL, [voucher.code])
        _id, left, lowest, captured, redeemed = cursor.fetchone()
    return left, lowest, captured, redeemed, outcomes


def test_32_threads_redeeming_one_code_never_take_it_below_zero(org):
    left, lowest, captured, redeemed, outcomes = crowd(org)
    assert outcomes.counts["ok:redeem"] == 10, outcomes.counts
    assert outcomes.counts["VoucherEmpty"] == THREADS - 10
    assert left == Decimal(0) and lowest >= 0
    assert captured == redeemed == Decimal("100")


def test_control_without_the_voucher_row_lock_the_crowd_overspends_it(org, monkeypatch):
    def unlocked(actor, code, *, lock=False):  # type: ignore[no-untyped-def]
        return access_voucher(actor, code, lock=False)

    monkeypatch.setattr(redeeming, "access_voucher", unlocked)
    left, lowest, captured, redeemed, outcomes = crowd(org)
    assert left < 0 and lowest < 0, outcomes.counts
    assert captured == redeemed > Decimal("100")
    assert outcomes.counts["ok:redeem"] > 10
