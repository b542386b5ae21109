"""A simulated card processor that behaves like a real one (labelled as simulated in every
page and email): notifications signed like Stripe's, `t=<unix time>,v1=<HMAC-SHA256 of
"t.body">`, refused when the signature is wrong or older than five minutes, and sent late,
twice or out of order by whoever tests with it.

The secret comes from the environment (`TENTATIVE_SIMULATED_PAYMENTS_SECRET`), else from the
site's secret key, never from the code.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings

from tentative.core.payments import PaymentState
from tentative.payments.providers.base import BadSignature, Capabilities, Notification

HEADER = "Tentative-Signature"
TOLERANCE = timedelta(minutes=5)


def _secret() -> bytes:
    configured = getattr(settings, "SIMULATED_PAYMENTS_SECRET", "")
    material = configured or f"simulated-payments:{settings.SECRET_KEY}"
    return material.encode()


def signature(body: bytes, *, at: datetime) -> str:
    """The header value a notification sent at `at` carries."""
    stamp = int(at.timestamp())
    digest = hmac.new(_secret(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


class SimulatedCard:
    code = "simulated"
    label = "Simulated card (test mode)"
    capabilities = Capabilities(capture_later=True)

    def verify(self, body: bytes, headers: Mapping[str, str], *, now: datetime) -> Notification:
        parts = dict(
            item.split("=", 1) for item in headers.get(HEADER, "").split(",") if "=" in item
        )
        try:
            sent = datetime.fromtimestamp(int(parts["t"]), UTC)
        except (KeyError, ValueError, OverflowError, OSError):
            raise BadSignature("no timestamp") from None
        if not hmac.compare_digest(signature(body, at=sent), headers.get(HEADER, "")):
            raise BadSignature("wrong signature")
        if abs(now - sent) > TOLERANCE:
            raise BadSignature("too old")
        try:
            data = json.loads(body)
            event_id, reference = str(data["id"])[:128], str(data["payment"])[:64]
            if "\x00" in event_id + reference:  # PostgreSQL refuses NUL in text
                raise ValueError("NUL in an identifier")
            return Notification(
                event_id=event_id,
                payment_reference=reference,
                state=PaymentState(data["state"]),
                captured=Decimal(str(data.get("captured", "0"))),
                sent_at=sent,
            )
        except (ValueError, KeyError, TypeError, InvalidOperation):
            raise BadSignature("malformed") from None
