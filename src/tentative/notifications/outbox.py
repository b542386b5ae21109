"""Writing to the outbox from inside an action's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from tentative.bookings.actor import Actor
from tentative.bookings.models import Booking
from tentative.notifications.models import OutboxMessage


def event_for(
    booking: Booking, topic: str, *, actor: Actor, at: datetime, data: dict[str, Any] | None = None
) -> OutboxMessage:
    return OutboxMessage(
        organisation_id=booking.organisation_id,
        booking=booking,
        kind=OutboxMessage.Kind.EVENT,
        topic=topic,
        payload={
            "booking": booking.reference,
            "state": booking.state,
            "actor": actor.kind.value,
            **(data or {}),
        },
        available_at=at,
        created_at=at,
    )


def emit(booking: Booking, topic: str, **kwargs: Any) -> None:
    event_for(booking, topic, **kwargs).save()


def emit_many(messages: Iterable[OutboxMessage]) -> None:
    OutboxMessage.objects.bulk_create(list(messages))
