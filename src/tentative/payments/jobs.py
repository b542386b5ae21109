"""What the payments app gives the worker: the simulated card processor posts its queued
notifications when they are due, signed at that moment, through the same
`receive_notification` a real processor's would reach over HTTP; and the charge after
approval is collected (captured, voided, or asked for with a payment request)."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db.models import F

from tentative.payments.actions import collect_after_approval, receive_notification
from tentative.payments.models import SimulatedDelivery
from tentative.payments.providers import simulated
from tentative.shared.errors import DomainError
from tentative.worker import registry

log = logging.getLogger(__name__)


@registry.each_pass
def deliver_simulated(*, now: datetime, limit: int = 100) -> int:
    """Post the due notifications, earliest first; each is claimed by a conditional update
    (two workers never post the same row), then posted outside any transaction. A post that
    fails unexpectedly is handed back for the next pass; a worker killed between the claim
    and the post loses that one post (the return page still applies the outcome), since
    a real processor's retries are not simulated."""
    due = SimulatedDelivery.objects.filter(delivered_at=None, due_at__lte=now).order_by(
        "due_at", "id"
    )
    done = 0
    for delivery in list(due[:limit]):
        claimed = SimulatedDelivery.objects.filter(id=delivery.id, delivered_at=None).update(
            delivered_at=now, attempts=F("attempts") + 1
        )
        if claimed != 1:
            continue
        body, headers = simulated.signed(delivery, now=now)
        try:
            outcome = str(
                receive_notification(simulated.SimulatedCard.code, body, headers, now=now)
            )
        except DomainError as refused:
            outcome = f"refused:{refused.code}"
        except Exception:
            log.exception("simulated notification %s failed; posted again later", delivery.id)
            SimulatedDelivery.objects.filter(id=delivery.id).update(delivered_at=None)
            continue
        SimulatedDelivery.objects.filter(id=delivery.id).update(outcome=outcome[:32])
        done += 1
    return done


# Charge after approval: capture, void or send a payment request once staff decided
# (actions/collect_after_approval.py), after the simulated notifications of this turn.
registry.each_pass(collect_after_approval)
