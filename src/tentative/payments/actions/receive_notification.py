"""Receive a provider's signed notification about one of our payments.

A bad signature, a stale timestamp or an unknown provider is refused before anything is
written; a verified notification is applied by `apply_notification` (row lock, applied at
most once, forward only).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from tentative.payments.actions.apply_notification import Outcome, apply_notification
from tentative.payments.errors import BadNotification, UnknownPayment
from tentative.payments.providers import PROVIDERS, BadSignature
from tentative.shared.clock import now_or

__all__ = ["Outcome", "receive_notification"]


def receive_notification(
    provider_code: str, body: bytes, headers: Mapping[str, str], *, now: datetime | None = None
) -> Outcome:
    now = now_or(now)
    provider = PROVIDERS.get(provider_code)
    if provider is None:
        raise UnknownPayment()
    try:
        note = provider.verify(body, headers, now=now)
    except BadSignature:
        raise BadNotification() from None
    return apply_notification(provider_code, note, now=now)
