"""Erase a customer's personal data (issue 12 item 8): staff from the customer's page, the
retention job when the organisation's `retention_days` have passed.

Erasing is anonymising, not deleting: the customer's bookings and payments stay (the
accounts and the capacity ledger need them), owned by a customer with no name, address or
phone, no contacts; the attendees' names and addresses and the answers to the booking form's
questions on its bookings are blanked; the
audit trail's copies of its name are replaced; its customer user can no longer sign in.

Refused (ErasureBlocked, nothing changed) while one of its bookings is still open — a quote,
a request or an option, or a confirmed booking whose date is still to come — or confirmed
and not fully paid: those still need a name and an address.

The bookings and payments tables belong to apps above this one: they are named by lazy model
references (`apps.get_model`), as the shared parts name the apps above them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Max, Sum

from tentative.accounts.access import (
    access_customer,
    check_may_anonymise,
    customer_username,
    customers_matching,
)
from tentative.accounts.errors import ErasureBlocked
from tentative.accounts.models import Customer, ErasureRequest
from tentative.audit.models import AuditEntry
from tentative.audit.trail import new_entry
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction

OPEN_STATES = ("quote", "request", "option")
ANONYMOUS = "—"


def blocking_bookings(customer: Customer, *, now: datetime) -> list[str]:
    """The references of the customer's bookings that keep its personal data."""
    booking_model = apps.get_model("bookings", "Booking")
    rows = (
        booking_model.objects.filter(
            organisation_id=customer.organisation_id, customer_id=customer.id
        )
        .exclude(state__in=("cancelled", "declined", "expired"))
        .annotate(last_end=Max("lines__ends_at"))
        .values("id", "reference", "state", "total", "last_end")
    )
    blocking = []
    payment_model = apps.get_model("payments", "Payment")
    for row in rows:
        if row["state"] in OPEN_STATES or (row["last_end"] and row["last_end"] > now):
            blocking.append(row["reference"])
            continue
        sums = payment_model.objects.filter(booking_id=row["id"]).aggregate(
            captured=Sum("captured"), refunded=Sum("refunded")
        )
        paid = (sums["captured"] or Decimal(0)) - (sums["refunded"] or Decimal(0))
        if paid < row["total"]:
            blocking.append(row["reference"])
    return sorted(blocking)


def anonymise_customer(customer_id: int, *, actor: Actor, now: datetime | None = None) -> Customer:
    now = now_or(now)
    check_may_anonymise(actor)
    with action_transaction():
        customer = access_customer(actor, customer_id, lock=True)
        if customer.anonymised_at is not None:
            return customer  # already done: a no-op
        if blocking := blocking_bookings(customer, now=now):
            raise ErasureBlocked(references=", ".join(blocking))
        erase(customer, actor=actor, now=now)
    return customer


def erase(customer: Customer, *, actor: Actor, now: datetime) -> None:
    """In the caller's transaction, the customer locked and checked."""
    email = customer.email
    Customer.objects.filter(id=customer.id).update(
        name=ANONYMOUS, email="", phone="", user=None, anonymised_at=now
    )
    customer.contacts.all().delete()
    participant_model = apps.get_model("bookings", "Participant")
    participant_model.objects.filter(
        line__booking__organisation_id=customer.organisation_id,
        line__booking__customer_id=customer.id,
    ).update(name="", email="")
    # The answers to the booking form's questions are the customer's words too.
    apps.get_model("bookings", "Booking").objects.filter(
        organisation_id=customer.organisation_id, customer_id=customer.id
    ).exclude(answers={}).update(answers={})
    ErasureRequest.objects.filter(customer_id=customer.id, status="pending").update(
        status=ErasureRequest.Status.DONE, done_at=now, note=""
    )
    # The trail keeps what happened, not who it was.
    for entry in AuditEntry.objects.filter(
        organisation_id=customer.organisation_id, data__customer=customer.id
    ):
        entry.data = {"customer": customer.id, "name": ANONYMOUS}
        entry.save(update_fields=["data"])
    if email and not customers_matching(customer.organisation_id, email).exists():
        # Nobody left for this address to act for: its customer user can no longer sign in.
        get_user_model().objects.filter(
            username=customer_username(customer.organisation_id, email)
        ).update(is_active=False, email="")
    customer.name, customer.email, customer.phone = ANONYMOUS, "", ""
    customer.anonymised_at = now
    new_entry(
        customer.organisation_id,
        actor=actor,
        action="customer.anonymise",
        at=now,
        data={"customer": customer.id, "name": ANONYMOUS},
    ).save()
