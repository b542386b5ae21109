"""DESIGN §2.2 #5 under a race: one POST sent 20 times at once with one Idempotency-Key.

What we require is the best outcome, not a retryable 409: all 20 callers get the same 201
with the same booking, and exactly one booking (one key row, one audit entry, the places
taken once) exists. A client that retries after a timeout cannot tell which of its
attempts "won", so every attempt must answer like the first.

It holds on both databases for different reasons. PostgreSQL: the key row is inserted first
in the durable transaction, so the duplicates block on the unique index until the first
commits, fail with IntegrityError, and read the stored response. SQLite: IMMEDIATE
transactions take turns, and the later ones find the key row or hit its unique index.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tentative.api.models import IdempotencyKey
from tentative.audit.models import AuditEntry
from tentative.bookings.models import Booking
from tentative.inventory.capacity import reconcile
from tentative.inventory.models import CapacityPool
from tests.concurrency.threads import race
from tests.factories import api_token, on_sale

pytestmark = pytest.mark.django_db(transaction=True)

CALLERS = 20


def test_twenty_concurrent_posts_with_one_key_book_once_and_answer_alike(org):
    date, ticket = on_sale(org, capacity=10)
    token = api_token(org)
    body = json.dumps(
        {
            "mode": "option",
            "lines": [{"event_date_id": date.id, "ticket_type_id": ticket.id, "quantity": 2}],
        }
    )

    def post() -> tuple[int, dict]:  # type: ignore[type-arg]
        response = Client().post(  # one client per thread: Client is not thread-safe
            "/api/v1/bookings",
            data=body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "order-42"},
        )
        return response.status_code, response.json()

    outcome = race([("post", post) for _ in range(CALLERS)], threads=CALLERS, accept=())

    assert not outcome.unexpected, outcome.unexpected[:3]
    statuses = [status for status, _ in outcome.results]
    assert statuses == [201] * CALLERS, statuses
    references = {answer["reference"] for _, answer in outcome.results}
    assert len(references) == 1, references
    assert all(answer == outcome.results[0][1] for _, answer in outcome.results)
    # In SQL: one booking, one key, one audit entry, two places taken.
    booking = Booking.objects.get(organisation=org)
    assert booking.reference in references
    assert IdempotencyKey.objects.count() == 1
    assert AuditEntry.objects.filter(booking=booking).count() == 1
    assert CapacityPool.objects.get(event_date=date, ticket_type=None).taken == 2
    assert reconcile() == []
