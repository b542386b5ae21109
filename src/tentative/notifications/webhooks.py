"""Signed webhooks: what we POST, and how a receiver checks it came from us.

Each delivery is an HTTP POST with a JSON body and these headers:

    Content-Type: application/json
    Tentative-Topic: booking.confirmed
    Tentative-Message-Id: 6f1c…         (the same on every retry and re-send: drop duplicates)
    Tentative-Signature: t=1767225600,v1=5257a869…

`v1` is the hex HMAC-SHA256, keyed with the endpoint's secret, of the ASCII bytes
`f"{t}.".encode() + body` (the raw request body, before any JSON parsing). `t` is the Unix
time of that attempt: a receiver should recompute the HMAC, compare in constant time, and
refuse a `t` more than five minutes from its clock (a replayed old request). `verify` below
is a reference implementation.

The body:

    {"id": "<Tentative-Message-Id>", "topic": "booking.confirmed",
     "created_at": "2027-03-01T10:00:00+00:00", "organisation": "<slug>",
     "data": {"booking": "<reference>", "state": "confirmed", "from_state": "option",
              "actor": "customer", "reason": "", ... the event's payload ...,
              "deadline": "…" or null, "total": "40.00", "currency": "EUR",
              "lines": [{"id": 12, "event": "…", "starts_at": "…", "ticket_type": "…",
                         "quantity": 2}]}}

Any 2xx answer is a success; anything else (or no answer within the timeout) is retried
with exponential backoff, and every try is in the endpoint's delivery log.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

from tentative.accounts.models import Organisation
from tentative.bookings.models import Booking, BookingLine
from tentative.outbox.models import OutboxMessage

SIGNATURE_HEADER = "Tentative-Signature"
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify(
    secret: str, header: str, body: bytes, *, now: float | None = None, tolerance: int = 300
) -> bool:
    """What a receiver does: parse the header, check the age, compare in constant time."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, given)


def body_for(
    event: OutboxMessage,
    delivery: OutboxMessage,
    booking: Booking | None,
    lines: dict[int, list[BookingLine]],
    *,
    organisation: Organisation,
) -> dict[str, Any]:
    data: dict[str, Any] = dict(event.payload)
    if booking is not None:
        data.update(
            {
                "deadline": booking.deadline_shown.isoformat() if booking.deadline_shown else None,
                "total": str(booking.total),
                "currency": booking.currency,
                "lines": [
                    {
                        "id": line.id,
                        "event": line.title,
                        "starts_at": line.starts_at.isoformat(),
                        "ends_at": line.ends_at.isoformat(),
                        "ticket_type": line.item,
                        "resource": line.resource_name or None,
                        "quantity": line.quantity,
                    }
                    for line in sorted(lines.get(booking.id, []), key=lambda ln: ln.id)
                ],
            }
        )
    return {
        "id": str(delivery.message_id),
        "topic": event.topic,
        "created_at": event.created_at.isoformat(),
        "organisation": organisation.slug,
        "data": data,
    }
