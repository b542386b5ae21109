"""Remove a staff member from the organisation (never the last owner). Their membership and
API tokens go; the account itself stays (it may belong to another organisation) but is
deactivated when it has no organisation left, so it can no longer sign in."""

from __future__ import annotations

from datetime import datetime

from tentative.accounts.access import access_membership, check_may_manage_staff
from tentative.accounts.actions._common import record
from tentative.accounts.actions.change_role import lock_owners
from tentative.accounts.errors import LastOwner
from tentative.accounts.models import StaffMembership
from tentative.core.permissions import Role
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def remove_member(membership_id: int, *, actor: Actor, now: datetime | None = None) -> None:
    now = now_or(now)
    check_may_manage_staff(actor)
    with action_transaction():
        owners = lock_owners(actor.organisation_id)  # type: ignore[arg-type]
        membership = access_membership(actor, membership_id, lock=True)
        if membership.role == Role.OWNER and owners == [membership.id]:
            raise LastOwner()
        user = membership.user
        record(
            membership.organisation_id,
            actor=actor,
            verb="removed",
            at=now,
            data={
                "membership": membership.id,
                "user": user.get_username(),
                "role": membership.role,
            },
        )
        membership.delete()
        if not StaffMembership.objects.filter(user=user).exists():
            user.is_active = False
            user.save(update_fields=["is_active"])
