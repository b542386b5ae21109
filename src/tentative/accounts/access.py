"""The only way to fetch a customer for an actor: scoped to the organisation, rights checked.

Every staff member (owner, manager, agent) keeps the customer file: the front desk creates
customers on the spot. Customers never see each other.
"""

from __future__ import annotations

from django.db.models import QuerySet

from tentative.accounts.models import Customer
from tentative.shared.actor import Actor, ActorKind
from tentative.shared.errors import Forbidden, NotFound


def visible_customers(actor: Actor) -> QuerySet[Customer]:
    customers = Customer.objects.all()
    if actor.kind == ActorKind.SYSTEM:
        return customers
    customers = customers.filter(organisation_id=actor.organisation_id)
    if actor.kind == ActorKind.CUSTOMER:
        customers = customers.filter(id=actor.customer_id)
    return customers


def access_customer(actor: Actor, customer_id: int, *, lock: bool = False) -> Customer:
    """Another organisation's customer is 'not found', not 'forbidden': ids do not leak."""
    customers = visible_customers(actor)
    if lock:
        customers = customers.select_for_update(no_key=True)
    try:
        return customers.get(id=customer_id)
    except (Customer.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def check_may_keep_customers(actor: Actor) -> None:
    if actor.kind not in (ActorKind.STAFF, ActorKind.SYSTEM):
        raise Forbidden()
