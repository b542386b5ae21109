"""Remove a day off or extra opening hours."""

from __future__ import annotations

from datetime import datetime

from tentative.catalog.access import access_hours_exception, check_may_manage_catalogue
from tentative.catalog.actions._common import record
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def remove_hours_exception(exception_id: int, *, actor: Actor, now: datetime | None = None) -> None:
    now = now_or(now)
    check_may_manage_catalogue(actor)
    with action_transaction():
        exception = access_hours_exception(actor, exception_id)
        organisation_id = exception.resource.organisation_id
        data = {
            "resource": exception.resource_id,
            "exception": exception.id,
            "kind": exception.kind,
            "first_day": exception.first_day.isoformat(),
            "last_day": exception.last_day.isoformat(),
        }
        exception.delete()
        record(organisation_id, actor=actor, verb="hours_exception_removed", at=now, data=data)
