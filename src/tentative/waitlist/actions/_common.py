"""What the waiting list's actions share: the audit entry and the visitor's actor."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tentative import compiled
from tentative.audit.trail import new_entry
from tentative.shared.actor import Actor, ActorKind
from tentative.waitlist.models import WaitlistEntry


def visitor(entry: WaitlistEntry) -> Actor:
    """The holder of the entry's link acts as its customer (the token is the proof)."""
    return Actor(
        kind=ActorKind.CUSTOMER,
        organisation_id=entry.organisation_id,
        label=entry.email,
        customer_id=entry.customer_id,
        via="public",
    )


def record(
    entry: WaitlistEntry,
    *,
    actor: Actor,
    action: str,
    at: datetime,
    from_state: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    """One audit entry: on the offer's booking when there is one (its history then says
    it came from the waiting list), else on the organisation. The entry's own states go in
    `data`, since `from_state`/`to_state` are a booking's."""
    compiled.insert(
        [
            new_entry(
                entry.organisation_id,
                booking=entry.offer,
                actor=actor,
                action=action,
                at=at,
                reason=reason,
                data={
                    "entry": entry.id,
                    "event_date": entry.event_date_id,
                    "quantity": entry.quantity,
                    "offered": entry.offered_quantity,
                    "from": from_state,
                    "to": entry.state,
                    **(data or {}),
                },
            )
        ]
    )
