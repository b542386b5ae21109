"""The organisation's deadline policy (seed 001), set from the release screen: strict
(an option is released at its deadline) or flexible (kept past it for the grace, or until
staff act, then released or kept for review).

It applies to options made from now on: each option carries the treatment it was given
(`Booking.deadline_enforced`, `at_limit`), so a change never strands nor suddenly releases
places held under the other rule. Changing the organisation's settings is the owner's
duty (as the settings page says).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _

from tentative.accounts.models import Organisation
from tentative.audit.trail import new_entry
from tentative.core.deadlines import AtLimit, Policy
from tentative.core.permissions import Role
from tentative.shared.actor import Actor, ActorKind, check_organisation
from tentative.shared.clock import now_or
from tentative.shared.errors import Forbidden, InvalidInput
from tentative.shared.transactions import action_transaction

MAX_GRACE = timedelta(days=366)
GRACE_RANGE = _("The grace must be between 0 and 366 days.")


def set_deadline_policy(
    organisation_id: int,
    *,
    actor: Actor,
    policy: Policy,
    grace: timedelta | None,
    at_limit: AtLimit,
    now: datetime | None = None,
) -> Organisation:
    now = now_or(now)
    if actor.kind != ActorKind.SYSTEM and actor.role != Role.OWNER:
        raise Forbidden()
    check_organisation(actor, organisation_id)
    if grace is not None and not timedelta(0) <= grace <= MAX_GRACE:
        raise InvalidInput(GRACE_RANGE)
    if policy == Policy.STRICT:  # strict: released at the deadline, no grace
        grace, at_limit = None, AtLimit.RELEASE
    with action_transaction():
        org = Organisation.objects.select_for_update(no_key=True).get(id=organisation_id)
        values = {
            "deadline_policy": policy.value,
            "deadline_grace": grace,
            "deadline_at_limit": at_limit.value,
        }
        changed = {k: v for k, v in values.items() if getattr(org, k) != v}
        if not changed:
            return org
        for name, value in changed.items():
            setattr(org, name, value)
        org.save(update_fields=list(changed))
        new_entry(
            org.id,
            actor=actor,
            action="staff.settings_changed",
            at=now,
            data={
                "changed": {
                    k: str(v) if isinstance(v, timedelta) else v for k, v in changed.items()
                }
            },
        ).save()
    return org
