"""Change a staff member's role; the organisation keeps at least one owner."""

from __future__ import annotations

from datetime import datetime

from tentative.accounts.access import access_membership, check_may_manage_staff
from tentative.accounts.actions._common import record
from tentative.accounts.errors import InvalidSettings, LastOwner
from tentative.accounts.models import StaffMembership
from tentative.core.permissions import Role
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def lock_owners(organisation_id: int) -> list[int]:
    """The owners' memberships, locked: two owners demoting each other at once cannot leave
    none (the second waits, then counts one owner)."""
    return list(
        StaffMembership.objects.select_for_update(no_key=True)
        .filter(organisation_id=organisation_id, role=Role.OWNER)
        .order_by("id")
        .values_list("id", flat=True)
    )


def change_role(
    membership_id: int, *, actor: Actor, role: str, now: datetime | None = None
) -> StaffMembership:
    now = now_or(now)
    check_may_manage_staff(actor)
    if role not in Role.__members__.values():
        raise InvalidSettings({"role": [str(InvalidSettings.message)]})
    with action_transaction():
        owners = lock_owners(actor.organisation_id)  # type: ignore[arg-type]
        membership = access_membership(actor, membership_id, lock=True)
        before = membership.role
        if before == role:
            return membership
        if before == Role.OWNER and owners == [membership.id]:
            raise LastOwner()
        membership.role = role
        membership.save(update_fields=["role"])
        record(
            membership.organisation_id,
            actor=actor,
            verb="role_changed",
            at=now,
            data={
                "membership": membership.id,
                "user": membership.user.get_username(),
                "before": before,
                "after": role,
            },
        )
    return membership
