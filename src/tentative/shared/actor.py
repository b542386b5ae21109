"""Who is acting: a staff member, a customer, an API token or the system itself."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tentative.core.permissions import Role
from tentative.shared.errors import NotFound


class ActorKind(StrEnum):
    STAFF = "staff"
    CUSTOMER = "customer"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    organisation_id: int | None
    label: str
    user_id: int | None = None
    role: Role | None = None
    customer_id: int | None = None
    via: str = ""  # "api", "backoffice", "portal", "worker"

    @classmethod
    def staff(cls, membership, via: str = "backoffice") -> Actor:  # type: ignore[no-untyped-def]
        return cls(
            kind=ActorKind.STAFF,
            organisation_id=membership.organisation_id,
            label=membership.user.get_username(),
            user_id=membership.user_id,
            role=Role(membership.role),
            via=via,
        )

    @classmethod
    def customer(cls, customer, via: str = "portal") -> Actor:  # type: ignore[no-untyped-def]
        return cls(
            kind=ActorKind.CUSTOMER,
            organisation_id=customer.organisation_id,
            label=customer.email or customer.name,
            customer_id=customer.id,
            via=via,
        )

    @classmethod
    def visitor(cls, organisation_id: int, via: str = "public") -> Actor:
        """Someone on the public booking pages, not known yet: a customer without a record
        (the checkout attaches one when they give their details)."""
        return cls(
            kind=ActorKind.CUSTOMER, organisation_id=organisation_id, label="web visitor", via=via
        )

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(kind=ActorKind.SYSTEM, organisation_id=None, label=label, via="worker")


def check_organisation(actor: Actor, organisation_id: int) -> None:
    """Another organisation's things do not exist for this actor (the system acts for all)."""
    if actor.kind != ActorKind.SYSTEM and actor.organisation_id != organisation_id:
        raise NotFound()
