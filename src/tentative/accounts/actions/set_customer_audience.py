"""Put a customer in an audience (None: the public). It changes what they may reserve, so
it is the programme's call (owners and managers), not the front desk's."""

from __future__ import annotations

from datetime import datetime

from tentative.accounts.access import (
    access_audience,
    access_customer,
    check_may_manage_audiences,
)
from tentative.accounts.actions._audience import record
from tentative.accounts.models import Customer
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def set_customer_audience(
    customer_id: int, audience_id: int | None, *, actor: Actor, now: datetime | None = None
) -> Customer:
    now = now_or(now)
    check_may_manage_audiences(actor)
    with action_transaction():
        customer = access_customer(actor, customer_id, lock=True)
        if audience_id is not None:
            audience = access_audience(actor, audience_id)
            audience_id = None if audience.is_public else audience.id
        if customer.audience_id == audience_id:
            return customer
        record(
            customer.organisation_id,
            actor=actor,
            verb="customer",
            at=now,
            data={"customer": customer.id, "audience": [customer.audience_id, audience_id]},
        )
        customer.audience_id = audience_id
        customer.save(update_fields=["audience"])
    return customer
