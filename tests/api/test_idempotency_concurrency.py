"""DESIGN §2.2 #5 under a crowd: the same request sent 20 times at once with one key books once.

Real threads, each with its own connection, through the whole HTTP stack (Django's test
client: auth, the idempotency wrapper, the action). Checked in the database afterwards,
not only from the responses.
"""

from __future__ import annotations

import json

import pytest

from tentative.api.models import IdempotencyKey
from tentative.bookings.models import Booking
from tentative.inventory.models import CapacityPool
from tests.api.conftest import Api, line
from tests.concurrency.threads import race

pytestmark = pytest.mark.django_db(transaction=True)

CALLERS = 20


def send(token: str, body: dict, key: str):  # type: ignore[no-untyped-def]
    def call() -> tuple[int, dict]:
        response = Api(token).post("/bookings", body, key=key)
        return response.status_code, json.loads(response.content)

    return call


def test_twenty_identical_requests_at_once_create_one_booking(token, offer):
    date, ticket = offer
    body = {"mode": "option", "lines": [line(date, ticket, 3)]}
    outcomes = race(
        [("post", send(token, body, "same-order")) for _ in range(CALLERS)],
        threads=CALLERS,
        accept=(),
    )
    assert not outcomes.unexpected, outcomes.unexpected[:3]
    statuses = {status for status, _ in outcomes.results}
    assert statuses == {201}, [r for r in outcomes.results if r[0] != 201][:3]
    references = {answer["reference"] for _, answer in outcomes.results}
    assert len(outcomes.results) == CALLERS and len(references) == 1
    assert Booking.objects.count() == 1
    assert Booking.objects.get().reference in references
    assert IdempotencyKey.objects.filter(key="same-order").count() == 1
    assert CapacityPool.objects.get(event_date=date, ticket_type=None).taken == 3


def test_one_key_with_two_bodies_at_once_books_once_and_refuses_the_other(token, offer):
    date, ticket = offer
    bodies = [
        {"mode": "option", "lines": [line(date, ticket, 1)]},
        {"mode": "option", "lines": [line(date, ticket, 2)]},
    ]
    outcomes = race(
        [("post", send(token, bodies[i % 2], "contested")) for i in range(CALLERS)],
        threads=CALLERS,
        accept=(),
    )
    assert not outcomes.unexpected, outcomes.unexpected[:3]
    booking = Booking.objects.get()
    won = [answer for status, answer in outcomes.results if status == 201]
    lost = [answer for status, answer in outcomes.results if status != 201]
    assert len(won) == CALLERS // 2 and {a["reference"] for a in won} == {booking.reference}
    assert len(lost) == CALLERS // 2
    assert {a["code"] for a in lost} == {"idempotency_key_reused"}
    taken = CapacityPool.objects.get(event_date=date, ticket_type=None).taken
    assert taken == booking.lines.get().quantity
