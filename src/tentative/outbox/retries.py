"""How an outbox message is tried: how many times, how long apart, and how a try went.

Shared by those who try (the notifications' couriers and fan-out) and the worker that
records each try and decides on the next.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from tentative.outbox.models import OutboxMessage

MAX_ATTEMPTS = {
    OutboxMessage.Kind.EMAIL: 8,  # about 2 hours of tries with the backoff below
    OutboxMessage.Kind.WEBHOOK: 12,  # about a day
    OutboxMessage.Kind.EVENT: 8,
}
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=6)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    permanent: bool = False
    status_code: int | None = None
    error: str = ""
    response: str = ""


def backoff(attempts: int, message_id: UUID) -> timedelta:
    """30 s, 1 min, 2 min… capped at 6 h, plus up to 20 % jitter derived from the message.

    The jitter spreads a burst of failures (an SMTP server down for a minute) so they do
    not all come back at once; deriving it from the message keeps tests deterministic.
    """
    delay = min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)
    spread = int(hashlib.sha256(message_id.bytes).hexdigest()[:4], 16) / 0xFFFF * 0.2
    return delay * (1 + spread)
