"""The simulated card processor's hosted page, and the shop's page the customer returns to.

The hosted page stands for the processor's own site: the tester decides (success, decline,
pending and later a decision) and how its notifications travel (late, twice, out of
order); the worker posts them. Back on our side, the return page asks the processor what
happened (Stripe's "retrieve session") and applies the answer under an event id of its own,
so whichever of the redirect and the notification comes first, the money counts once.
"""

from __future__ import annotations

from datetime import datetime

from tentative.payments.access import access_payment
from tentative.payments.actions.apply_notification import Outcome, apply_notification
from tentative.payments.models import Payment
from tentative.payments.providers import NotSupported, simulated
from tentative.payments.providers.simulated import Choice, Delivery
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.errors import NotFound

__all__ = ["Choice", "Delivery", "apply_return", "simulated_checkout", "simulated_decide"]

_PROCESSOR = Actor.system("simulated card")


def _payment(reference: str) -> Payment:
    payment = access_payment(_PROCESSOR, reference)
    if payment.provider != simulated.SimulatedCard.code:
        raise NotFound()
    return payment


def simulated_checkout(
    reference: str, choice: Choice, *, delivery: Delivery | None = None, now: datetime | None = None
) -> Payment:
    payment = _payment(reference)
    simulated.checkout(payment, choice, delivery=delivery, now=now_or(now))
    return payment


def simulated_decide(reference: str, choice: Choice, *, now: datetime | None = None) -> Payment:
    payment = _payment(reference)
    simulated.decide(payment, choice, now=now_or(now))
    return payment


def apply_return(reference: str, *, now: datetime | None = None) -> Outcome | None:
    """None when the processor has nothing to say yet (the page was left undecided)."""
    now = now_or(now)
    payment = _payment(reference)
    try:
        answer = simulated.retrieve(payment, now=now)
    except NotSupported:
        raise NotFound() from None
    if answer is None:
        return None
    return apply_notification(simulated.SimulatedCard.code, answer, now=now)
