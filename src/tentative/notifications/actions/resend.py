"""Re-sending a delivered or given-up email or webhook, from the staff pages.

The message keeps its `message_id` (so a receiver that already had it can drop it) and
starts a new round of tries; its earlier attempts stay in the log.
"""

from __future__ import annotations

from datetime import datetime

from tentative.outbox.models import OutboxMessage


def resend(message_id: int, *, now: datetime) -> bool:
    """Queue it again; False when it is already waiting (a conditional update, so a double
    click or two staff at once queue it once)."""
    return (
        OutboxMessage.objects.filter(
            id=message_id,
            kind__in=[OutboxMessage.Kind.EMAIL, OutboxMessage.Kind.WEBHOOK],
            status__in=[OutboxMessage.Status.SENT, OutboxMessage.Status.DEAD],
        ).update(
            status=OutboxMessage.Status.PENDING,
            attempts=0,
            available_at=now,
            leased_until=None,
            lease_token=None,
            last_error="",
        )
        == 1
    )
