"""Money taken at the desk: cash, a card terminal, a bank transfer. Staff record it; there
is no notification to receive, and a refund is money staff pay back themselves."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from tentative.payments.providers.base import (
    BadSignature,
    Capabilities,
    Notification,
    NotSupported,
)

if TYPE_CHECKING:
    from tentative.payments.models import Payment


class Offline:
    code = "offline"
    label = "Offline"
    capabilities = Capabilities(refunds_online=False)

    def verify(self, body: bytes, headers: Mapping[str, str], *, now: datetime) -> Notification:
        raise BadSignature("offline payments send no notifications")

    def capture(self, payment: Payment, amount: Decimal, *, now: datetime) -> Notification:
        raise NotSupported("an offline payment is captured when staff record it")

    def void(self, payment: Payment, *, now: datetime) -> Notification:
        raise NotSupported("an offline payment has no authorisation to void")
