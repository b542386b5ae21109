"""A ticket is let in once (PostgreSQL, real parallelism):

- 16 threads scanning the same ticket (16 doors, 16 nonces): exactly one `valid`, fifteen
  `already_used`, one check-in row in SQL. The control drops `one_check_in_per_place` and
  shows the same crowd letting the ticket in more than once, so the test can fail.
- 16 threads uploading the same scan (one nonce): one scan row, one check-in, sixteen
  identical answers.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection

from tentative.checkin.actions import check_in
from tentative.core.states import State
from tentative.notifications.tickets import ticket_codes
from tentative.payments import actions as payment_actions
from tests.concurrency.threads import race
from tests.conftest import on_postgres
from tests.factories import book, on_sale, staff

pytestmark = [pytest.mark.django_db(transaction=True), on_postgres]

COUNT_SQL = """
SELECT (SELECT COUNT(*) FROM checkin_checkin WHERE booking_id = %(booking)s),
       (SELECT COUNT(*) FROM checkin_scan WHERE outcome = 'valid'),
       (SELECT COUNT(*) FROM audit_auditentry
         WHERE booking_id = %(booking)s AND action = 'check_in')
"""


def paid_ticket(org):  # type: ignore[no-untyped-def]
    date, ticket = on_sale(org, capacity=10, price=Decimal("20"))
    booking = book(staff(org), date, ticket, quantity=1, mode=State.CONFIRMED)
    payment_actions.record_payment(booking.id, actor=staff(org), amount=Decimal("20"))
    return booking, ticket_codes(booking, list(booking.lines.all()))[0].code


def scan_crowd(org, *, same_nonce: bool):  # type: ignore[no-untyped-def]
    booking, code = paid_ticket(org)
    doors = [staff(org) for _ in range(16)]
    outcomes = race(
        [
            (
                "scan",
                lambda door=door, n=n: (
                    check_in(
                        actor=door, code=code, nonce="same" if same_nonce else f"door-{n}"
                    ).outcome.value
                ),
            )
            for n, door in enumerate(doors)
        ],
        threads=16,
    )
    assert not outcomes.unexpected, outcomes.unexpected[:3]
    with connection.cursor() as cursor:
        cursor.execute(COUNT_SQL, {"booking": booking.id})
        return cursor.fetchone(), Counter(outcomes.results)


def test_16_doors_scanning_one_ticket_let_it_in_once(org):
    (check_ins, valid_scans, audited), answers = scan_crowd(org, same_nonce=False)
    assert (check_ins, valid_scans, audited) == (1, 1, 1)
    assert answers == Counter({"valid": 1, "already_used": 15})


def test_16_uploads_of_one_scan_count_once(org):
    (check_ins, valid_scans, audited), answers = scan_crowd(org, same_nonce=True)
    assert (check_ins, valid_scans, audited) == (1, 1, 1)
    assert answers == Counter({"valid": 16})


def test_control_without_the_unique_place_the_crowd_lets_it_in_more_than_once(org):
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE checkin_checkin DROP CONSTRAINT one_check_in_per_place")
    try:
        (check_ins, _, _), answers = scan_crowd(org, same_nonce=False)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM checkin_scan")
            cursor.execute("DELETE FROM checkin_checkin")
            cursor.execute(
                "ALTER TABLE checkin_checkin ADD CONSTRAINT one_check_in_per_place "
                "UNIQUE (line_id, number)"
            )
    assert check_ins > 1 and answers["valid"] > 1, answers
