"""Edit a customer: its details and, for a company, its list of contacts (replaced whole)."""

from __future__ import annotations

from datetime import datetime

from tentative.accounts.access import access_customer, check_may_keep_customers
from tentative.accounts.actions._customer import (
    CustomerData,
    clean,
    contacts_of,
    fields_of,
    record,
)
from tentative.accounts.models import Contact, Customer
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def update_customer(
    customer_id: int, data: CustomerData, *, actor: Actor, now: datetime | None = None
) -> Customer:
    now = now_or(now)
    check_may_keep_customers(actor)
    data = clean(data)
    with action_transaction():
        customer = access_customer(actor, customer_id, lock=True)
        before = fields_of(
            CustomerData(
                name=customer.name,
                kind=customer.kind,
                email=customer.email,
                phone=customer.phone,
                language=customer.language,
            )
        )
        after = fields_of(data)
        changed = {k: [before[k], v] for k, v in after.items() if before[k] != v}
        contacts_changed = contacts_of(customer) != data.contacts
        if not changed and not contacts_changed:
            return customer
        Customer.objects.filter(id=customer.id).update(**after)
        for name, value in after.items():
            setattr(customer, name, value)
        if contacts_changed:
            customer.contacts.all().delete()
            Contact.objects.bulk_create(
                [
                    Contact(
                        customer=customer, name=c.name, email=c.email, phone=c.phone, role=c.role
                    )
                    for c in data.contacts
                ]
            )
        record(
            customer,
            actor=actor,
            verb="update",
            at=now,
            data={"changed": changed, "contacts": len(data.contacts) if contacts_changed else None},
        )
    return customer
