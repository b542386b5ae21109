"""Money taken at the desk: cash, a card terminal, a bank transfer. Staff record it; there
is no notification to receive, and a refund is money staff pay back themselves."""

from __future__ import annotations

from tentative.payments.providers.base import Capabilities, CapturedWhenRecorded


class Offline(CapturedWhenRecorded):
    code = "offline"
    label = "Offline"
    capabilities = Capabilities(refunds_online=False)
