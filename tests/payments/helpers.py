"""Notifications as the simulated processor sends them."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from tentative.payments.providers.simulated import HEADER, signature


def notification(
    payment,
    state: str,
    *,
    event_id: str,
    captured: Decimal | None = None,
    at: datetime | None = None,
) -> tuple[bytes, dict[str, str]]:  # type: ignore[no-untyped-def]
    body = json.dumps(
        {
            "id": event_id,
            "payment": payment.reference,
            "state": state,
            "captured": str(captured if captured is not None else payment.amount),
        }
    ).encode()
    return body, {HEADER: signature(body, at=at or timezone.now())}
