"""Payment providers behind one interface (docs/payments.md).

A provider says what it can do (`Capabilities`), verifies its own signed notifications
and turns them into `Notification`s, and refunds. The built-in ones: `simulated` (a card
processor that behaves like a real one, labelled as simulated wherever it shows) and
`offline` (money taken at the desk, recorded by staff). A real processor plugs in here.
"""

from __future__ import annotations

from tentative.payments.providers.base import (
    AuthorisationLapsed,
    BadSignature,
    Capabilities,
    Notification,
    NotSupported,
    Provider,
)
from tentative.payments.providers.offline import Offline
from tentative.payments.providers.simulated import SimulatedCard

PROVIDERS: dict[str, Provider] = {p.code: p for p in (SimulatedCard(), Offline())}

__all__ = [
    "PROVIDERS",
    "AuthorisationLapsed",
    "BadSignature",
    "Capabilities",
    "NotSupported",
    "Notification",
    "Provider",
]
