"""Audit entries: one row per change, written inside the change's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tentative.bookings.actor import Actor
from tentative.bookings.models import AuditEntry, Booking

# Never copied into an audit entry, whatever a caller passes.
_REDACTED = {"password", "token", "secret", "card", "iban", "authorization"}


def redact(data: dict[str, Any]) -> dict[str, Any]:
    return {k: ("[redacted]" if k.lower() in _REDACTED else v) for k, v in data.items()}


def entry(
    booking: Booking,
    *,
    actor: Actor,
    action: str,
    at: datetime,
    from_state: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """An unsaved entry, so that set-based actions can write many with one bulk_create."""
    return AuditEntry(
        organisation_id=booking.organisation_id,
        booking=booking,
        at=at,
        actor_kind=actor.kind.value,
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        action=action,
        from_state=from_state,
        to_state=booking.state,
        reason=reason,
        data=redact(data or {}),
    )


def record(booking: Booking, **kwargs: Any) -> AuditEntry:
    audit = entry(booking, **kwargs)
    audit.save()
    return audit
