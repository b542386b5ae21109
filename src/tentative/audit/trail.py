"""The one way to write audit entries: one row per change, inside the change's transaction.

A booking is passed as any model instance with `organisation_id` and `state`: this app
stays below the bookings app and imports nothing from it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Model

from tentative import compiled
from tentative.audit.models import AuditEntry
from tentative.shared.actor import Actor

# Never copied into an audit entry, whatever a caller passes.
_REDACTED = {"password", "token", "secret", "card", "iban", "authorization"}


def redact(data: dict[str, Any]) -> dict[str, Any]:
    return {k: ("[redacted]" if k.lower() in _REDACTED else v) for k, v in data.items()}


def new_entry(
    organisation_id: int,
    *,
    actor: Actor,
    action: str,
    at: datetime,
    booking: Model | None = None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """An unsaved entry, so that set-based actions can write many with one bulk_create."""
    return AuditEntry(
        organisation_id=organisation_id,
        booking=booking,
        at=at,
        actor_kind=actor.kind.value,
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=redact(data or {}),
    )


def entry(booking: Any, **kwargs: Any) -> AuditEntry:
    """A booking's entry: its new state is the one it is in now."""
    return new_entry(booking.organisation_id, booking=booking, to_state=booking.state, **kwargs)


def record(booking: Any, **kwargs: Any) -> AuditEntry:
    audit = entry(booking, **kwargs)
    compiled.insert([audit])
    return audit
