"""The compiled INSERTs and reads write and read exactly what the ORM would."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import signals

from tentative import compiled
from tentative.accounts.models import Organisation
from tentative.api.models import IdempotencyKey
from tentative.audit.models import AuditEntry
from tentative.bookings import actions
from tentative.bookings.models import Booking, BookingLine, Participant
from tentative.catalog.models import TicketType
from tentative.core.states import State
from tentative.inventory.models import CapacityPool, Hold
from tentative.outbox.models import OutboxMessage
from tests.factories import TicketTypeFactory, book, on_sale, staff

pytestmark = pytest.mark.django_db

WRITTEN_BY_COMPILED = [Booking, BookingLine, Participant, Hold, AuditEntry, OutboxMessage]


def test_no_model_written_by_compiled_inserts_has_signal_receivers():
    """compiled.insert sends no signals; a receiver added later would silently miss rows."""
    for model in [*WRITTEN_BY_COMPILED, IdempotencyKey]:
        for signal in (signals.pre_save, signals.post_save):
            assert not signal.has_listeners(model), (model, signal)


def test_what_an_insert_writes_reads_back_the_same_through_the_orm(org):
    """Decimal, JSON, UUID, booleans, datetimes, defaults and auto_now_add, on both databases."""
    date, ticket = on_sale(org)
    booking = book(staff(org), date, ticket, quantity=2)
    record = IdempotencyKey(scope="s", key="k", request_hash="h", status_code=201, body={"a": [1]})
    compiled.insert([record])
    stored = IdempotencyKey.objects.get(id=record.id)
    assert (stored.body, stored.status_code, stored.created_at) == (
        {"a": [1]},
        201,
        record.created_at,
    )
    fresh = Booking.objects.get(id=booking.id)
    for field in Booking._meta.concrete_fields:
        assert getattr(fresh, field.attname) == getattr(booking, field.attname), field.name
    message = OutboxMessage.objects.get(booking=booking)
    assert message.payload["booking"] == booking.reference and message.message_id
    assert AuditEntry.objects.get(booking=booking).data == {}
    assert compiled.read_first(IdempotencyKey, scope="s", key="k") == stored
    assert compiled.read_first(IdempotencyKey, scope="s", key="other") is None


def test_a_joined_read_matches_select_related(org):
    org.deadline_grace = timedelta(hours=6)  # a DurationField, stored differently per database
    org.save()
    _, ticket = on_sale(org, price=Decimal("12.50"))
    [read] = compiled.read_by_ids(TicketType, [ticket.id], "event", "organisation")
    orm = TicketType.objects.select_related("event__organisation").get(id=ticket.id)
    assert read == orm and read.price == Decimal("12.50")
    assert read.event.organisation.deadline_grace == timedelta(hours=6)
    for model, a, b in [
        (TicketType, read, orm),
        (Organisation, read.event.organisation, orm.event.organisation),
    ]:
        for field in model._meta.concrete_fields:
            assert getattr(a, field.attname) == getattr(b, field.attname), field.name


def test_more_rows_than_one_statement_may_bind_go_in_batches(org):
    """23,000 participants bind 69,000 values: over PostgreSQL's 65,535 for one statement."""
    date, _ = on_sale(org, capacity=30_000)
    people = tuple((f"P{i}", f"p{i}@example.com") for i in range(1000))
    types = [TicketTypeFactory(event=date.event) for _ in range(23)]
    booking = actions.create_booking(
        actor=staff(org),
        organisation_id=org.id,
        mode=State.CONFIRMED,
        lines=[actions.LineRequest(date.id, t.id, 1000, participants=people) for t in types],
    )
    assert Participant.objects.filter(line__booking=booking).count() == 23_000
    assert CapacityPool.objects.get(event_date=date).taken == 23_000


def test_what_the_helpers_cannot_do_is_refused():
    with pytest.raises(TypeError, match="required keys"):
        compiled.read_by_ids(Booking, [1], "customer")  # nullable: an inner join would drop rows
    with pytest.raises(ValueError, match="unsaved related object"):
        compiled.insert([BookingLine(booking=Booking(), quantity=1, unit_price=1)])
    assert not BookingLine.objects.exists()
