"""What every payment provider offers the engine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from tentative.core.payments import PaymentState


class BadSignature(Exception):
    """A notification we cannot trust: wrong signature, too old, or malformed."""


@dataclass(frozen=True)
class Capabilities:
    refund: bool = True
    partial_refund: bool = True
    capture_later: bool = False  # authorise now, capture on acceptance (seed 000)
    # Money goes back through the provider; False: staff pay it back themselves.
    refunds_online: bool = True


@dataclass(frozen=True)
class Notification:
    """What a provider says happened to one of our payments."""

    event_id: str  # the provider's, unique: the same notification twice is one
    payment_reference: str  # ours, echoed back
    state: PaymentState
    captured: Decimal  # the total captured so far, as the provider knows it
    sent_at: datetime


class Provider(Protocol):
    code: str
    label: str
    capabilities: Capabilities

    def verify(self, body: bytes, headers: Mapping[str, str], *, now: datetime) -> Notification:
        """The notification in `body`, or BadSignature."""
        ...
