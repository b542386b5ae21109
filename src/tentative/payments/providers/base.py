"""What every payment provider offers the engine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from tentative.core.payments import PaymentState

if TYPE_CHECKING:
    from tentative.payments.models import Payment


class BadSignature(Exception):
    """A notification we cannot trust: wrong signature, too old, or malformed."""


class AuthorisationLapsed(Exception):
    """The processor let the authorisation lapse (past `Payment.authorised_until`): nothing
    can be captured any more; ask the customer to pay again (a payment request)."""


class NotSupported(Exception):
    """This provider cannot do that, as its `capabilities` say: calling it is a programming
    error (an offline payment has nothing to capture or void)."""


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
    # With "authorised": when the processor lets the authorisation lapse.
    authorised_until: datetime | None = None


class Provider(Protocol):
    code: str
    label: str
    capabilities: Capabilities

    def verify(self, body: bytes, headers: Mapping[str, str], *, now: datetime) -> Notification:
        """The notification in `body`, or BadSignature."""
        ...

    def capture(self, payment: Payment, amount: Decimal, *, now: datetime) -> Notification:
        """Capture `amount` of an authorised payment at the processor; the notification
        saying so is returned, for `actions.apply_notification`. AuthorisationLapsed after
        `authorised_until`; NotSupported when `capabilities.capture_later` is False."""
        ...

    def void(self, payment: Payment, *, now: datetime) -> Notification:
        """Release an authorisation (a refused request): the notification says cancelled.
        NotSupported when `capabilities.capture_later` is False."""
        ...
