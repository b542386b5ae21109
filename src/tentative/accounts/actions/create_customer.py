"""Create a customer (a person, or a company with its contacts) in the actor's organisation."""

from __future__ import annotations

from datetime import datetime

from tentative.accounts.access import check_may_keep_customers
from tentative.accounts.actions._customer import CustomerData, clean, fields_of, record
from tentative.accounts.models import Contact, Customer
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.errors import NotFound
from tentative.shared.transactions import action_transaction


def create_customer(
    organisation_id: int, data: CustomerData, *, actor: Actor, now: datetime | None = None
) -> Customer:
    now = now_or(now)
    check_may_keep_customers(actor)
    if actor.organisation_id is not None and actor.organisation_id != organisation_id:
        raise NotFound()
    data = clean(data)
    with action_transaction():
        customer = Customer.objects.create(organisation_id=organisation_id, **fields_of(data))
        Contact.objects.bulk_create(
            [
                Contact(customer=customer, name=c.name, email=c.email, phone=c.phone, role=c.role)
                for c in data.contacts
            ]
        )
        record(
            customer,
            actor=actor,
            verb="create",
            at=now,
            data={"kind": data.kind, "contacts": len(data.contacts)},
        )
    return customer
