"""A payment's lifecycle as data, and the rule that keeps late, repeated and reordered
provider notifications harmless.

Processors tell us what happened in notifications that arrive late, twice and out of order
(a "captured" before its "authorised"). A notification only ever moves a payment *forward*
(`advances`): one that says nothing new, or something older, changes nothing. Captured,
failed, cancelled and expired are final for the payment itself; money going back is a
refund, a record of its own.
"""

from __future__ import annotations

from enum import StrEnum


class PaymentState(StrEnum):
    CREATED = "created"  # we asked the provider, nothing heard yet
    PENDING = "pending"  # the provider decides later (a bank transfer, a 3-D Secure step)
    AUTHORISED = "authorised"  # money held on the card, to capture or void
    CAPTURED = "captured"  # money taken
    FAILED = "failed"  # declined
    CANCELLED = "cancelled"  # voided by us (a refused request) or abandoned
    EXPIRED = "expired"  # the authorisation lapsed, or the payment page was never used


class RefundState(StrEnum):
    CREATED = "created"
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


FINAL = frozenset(
    {PaymentState.CAPTURED, PaymentState.FAILED, PaymentState.CANCELLED, PaymentState.EXPIRED}
)
_STEP = {
    PaymentState.CREATED: 0,
    PaymentState.PENDING: 1,
    PaymentState.AUTHORISED: 2,
    PaymentState.CAPTURED: 3,
    PaymentState.FAILED: 3,
    PaymentState.CANCELLED: 3,
    PaymentState.EXPIRED: 3,
}


def advances(current: PaymentState, reported: PaymentState) -> bool:
    """Whether a payment in `current` moves to `reported`: forward only, never out of a
    final state (a "failed" after a "captured" is a stale message, not a chargeback)."""
    if current in FINAL:
        return False
    return _STEP[reported] > _STEP[current]
