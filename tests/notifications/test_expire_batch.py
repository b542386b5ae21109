"""The sweep's SQL expiry records exactly what `expire_lapsed` records, booking by booking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tentative.audit.models import AuditEntry
from tentative.bookings.actions import expire_lapsed
from tentative.bookings.actions.expire_batch import expire_lapsed_batch
from tentative.bookings.models import Booking
from tentative.core.states import State
from tentative.inventory.models import CapacityPool
from tentative.outbox.models import OutboxMessage
from tests.factories import book, on_sale, staff

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def lapsed_set(org):  # type: ignore[no-untyped-def]
    """An option, a quote and two requests (one holding, one not), all lapsed at T0 + 10 d."""
    org.quote_validity_days = 10
    org.save()
    starts = T0 + timedelta(days=10)
    owner = staff(org)
    date, ticket = on_sale(org, capacity=50, starts_at=starts, deadline_days_after_booking=10)
    loose_date, loose = on_sale(
        org, starts_at=starts, requires_approval=True, requests_hold_capacity=False
    )
    return [
        book(owner, date, ticket, quantity=3, now=T0),
        book(owner, date, ticket, mode=State.QUOTE, now=T0),
        book(owner, date, ticket, mode=State.REQUEST, quantity=2, now=T0),
        book(owner, loose_date, loose, mode=State.REQUEST, now=T0),
    ]


def record(booking: Booking) -> tuple[object, ...]:
    booking.refresh_from_db()
    entry = AuditEntry.objects.get(booking=booking, action="expire")
    event = OutboxMessage.objects.get(booking=booking, topic="booking.expired")
    payload = dict(event.payload)
    assert payload.pop("booking") == booking.reference
    return (
        booking.state,
        booking.holds_capacity,
        booking.updated_at,
        (entry.at, entry.actor_kind, entry.actor_label, entry.actor_user_id),
        (entry.from_state, entry.to_state, entry.reason, entry.data),
        (event.kind, event.status, event.available_at, event.created_at, event.attempts),
        payload,
    )


def test_the_batch_and_the_orm_versions_agree(org):
    by_orm, by_sql = lapsed_set(org), lapsed_set(org)
    lapse = T0 + timedelta(days=10)
    assert sorted(expire_lapsed(now=lapse, limit=4)) == sorted(b.id for b in by_orm)
    assert sorted(expire_lapsed_batch(now=lapse, limit=10)) == sorted(b.id for b in by_sql)
    assert [record(b) for b in by_orm] == [record(b) for b in by_sql]
    assert set(CapacityPool.objects.values_list("taken", flat=True)) == {0}
    assert expire_lapsed_batch(now=lapse, limit=10) == []


def test_the_batch_leaves_what_has_not_lapsed(org):
    held = lapsed_set(org)
    assert expire_lapsed_batch(now=T0 + timedelta(days=9), limit=10) == []
    assert {Booking.objects.get(id=b.id).state for b in held} == {"option", "quote", "request"}
