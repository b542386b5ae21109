"""Who may see, change and book from a capacity reserve (seed 002).

- Owners and managers set reserves up and move places in and out of them; agents do not.
- Booking from a reserve needs a reserve *with access* and, when it is open to selected
  users only, to be one of them. The account owner always has access. Customers never draw.

Checked inside the action functions (a refusal carries a message saying why), so the back
office, the API and any later box office get the same answer.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet

from tentative.core.permissions import Role
from tentative.inventory.errors import (
    CustomersCannotDraw,
    ReserveArchived,
    ReserveNotYours,
    ReservesManagersOnly,
    ReserveWithoutAccess,
)
from tentative.inventory.models import Reserve
from tentative.shared.actor import Actor, ActorKind
from tentative.shared.errors import DomainError, NotFound

MANAGERS = frozenset({Role.OWNER, Role.MANAGER})


def visible_reserves(actor: Actor) -> QuerySet[Reserve]:
    """Staff see every reserve of their organisation (to know where places went)."""
    if actor.kind == ActorKind.CUSTOMER:
        return Reserve.objects.none()
    reserves = Reserve.objects.all()
    if actor.kind != ActorKind.SYSTEM:
        reserves = reserves.filter(organisation_id=actor.organisation_id)
    return reserves.select_related("organisation").annotate(is_member=_is_member(actor))


def access_reserve(actor: Actor, reserve_id: int, *, lock: bool = False) -> Reserve:
    """Another organisation's reserve is 'not found', not 'forbidden': ids do not leak."""
    reserves = visible_reserves(actor)
    if lock:
        reserves = reserves.select_for_update(no_key=True, of=("self",))
    try:
        return reserves.get(id=reserve_id)
    except (Reserve.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def may_manage(actor: Actor) -> bool:
    return actor.kind == ActorKind.SYSTEM or (
        actor.kind == ActorKind.STAFF and actor.role in MANAGERS
    )


def check_may_manage(actor: Actor) -> None:
    if not may_manage(actor):
        raise ReservesManagersOnly()


def draw_refusal(actor: Actor, reserve: Reserve) -> DomainError | None:
    """Why `actor` may not book from `reserve`, or None. `reserve` comes from
    `visible_reserves` (it carries `is_member`)."""
    if actor.kind == ActorKind.CUSTOMER:
        return CustomersCannotDraw()
    if reserve.archived_at is not None:
        return ReserveArchived(name=reserve.name)
    if reserve.kind == Reserve.Kind.WITHOUT_ACCESS:
        return ReserveWithoutAccess(name=reserve.name)
    if (
        actor.kind == ActorKind.SYSTEM
        or actor.role == Role.OWNER
        or reserve.audience == Reserve.Audience.ALL_STAFF
        or reserve.is_member  # type: ignore[attr-defined]
    ):
        return None
    return ReserveNotYours(name=reserve.name)


def may_draw(actor: Actor, reserve: Reserve) -> bool:
    return draw_refusal(actor, reserve) is None


def check_may_draw(actor: Actor, organisation_id: int, reserve_ids: Iterable[int | None]) -> None:
    """For the create action: one query, and only when a line asks for a reserve."""
    wanted = {reserve_id for reserve_id in reserve_ids if reserve_id is not None}
    if not wanted:
        return
    if actor.kind == ActorKind.CUSTOMER:
        raise CustomersCannotDraw()
    found = {
        reserve.id: reserve
        for reserve in visible_reserves(actor).filter(
            id__in=wanted, organisation_id=organisation_id
        )
    }
    for reserve_id in sorted(wanted):
        if reserve_id not in found:
            raise NotFound()
        if refusal := draw_refusal(actor, found[reserve_id]):
            raise refusal


def _is_member(actor: Actor) -> Exists:
    return Exists(
        Reserve.members.through.objects.filter(
            reserve_id=OuterRef("pk"),
            staffmembership__user_id=actor.user_id,
            staffmembership__organisation_id=OuterRef("organisation_id"),
        )
    )
