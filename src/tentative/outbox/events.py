"""Writing to the outbox from inside an action's transaction.

Topics come from `outbox/topics.py`. The booking is any model instance with a
`reference`, `state` and `organisation_id`: this app imports no app above it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connection

from tentative import compiled
from tentative.outbox.models import OutboxMessage
from tentative.shared.actor import Actor


def event_for(
    booking: Any, topic: str, *, actor: Actor, at: datetime, data: dict[str, Any] | None = None
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


def emit(booking: Any, topic: str, **kwargs: Any) -> None:
    compiled.insert([event_for(booking, topic, **kwargs)])


_COPY_COLUMNS = (
    "organisation_id, booking_id, kind, topic, payload, status, message_id, attempts, "
    "available_at, created_at, last_error"
)


def emit_many(messages: Iterable[OutboxMessage]) -> None:
    """Many rows at once (a sweep may expire 100,000 options in one run).

    On PostgreSQL with COPY, several times faster than a multi-row INSERT built by the ORM;
    elsewhere bulk_create.
    """
    if connection.vendor != "postgresql":
        OutboxMessage.objects.bulk_create(list(messages), batch_size=500)
        return
    table = OutboxMessage._meta.db_table
    with connection.cursor() as cursor:
        copy_sql = f"COPY {table} ({_COPY_COLUMNS}) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for m in messages:
                copy.write_row(
                    (
                        m.organisation_id,
                        m.booking_id,
                        m.kind,
                        m.topic,
                        json.dumps(m.payload),
                        m.status,
                        m.message_id,
                        m.attempts,
                        m.available_at,
                        m.created_at,
                        m.last_error,
                    )
                )


def emit_for_organisation(
    organisation_id: int,
    topic: str,
    *,
    actor: Actor,
    at: datetime,
    data: dict[str, Any] | None = None,
) -> None:
    """An event about no booking (a coupon issued at the desk, a gift voucher sold)."""
    compiled.insert(
        [
            OutboxMessage(
                organisation_id=organisation_id,
                kind=OutboxMessage.Kind.EVENT,
                topic=topic,
                payload={"actor": actor.kind.value, **(data or {})},
                available_at=at,
                created_at=at,
            )
        ]
    )
