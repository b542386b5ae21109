"""Reads of the customer file shared by every face."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from tentative.accounts.access import visible_customers
from tentative.accounts.models import Customer
from tentative.shared.actor import Actor

MAX_QUERY = 200


def search_customers(actor: Actor, query: str = "") -> QuerySet[Customer]:
    """The actor's customers whose name, email or phone (or a contact's) contains `query`,
    by name, each with its number of bookings (`booking_count`)."""
    customers = visible_customers(actor)
    query = query.strip().replace("\x00", "")[:MAX_QUERY]
    if query:
        customers = customers.filter(
            Q(name__icontains=query)
            | Q(email__icontains=query)
            | Q(phone__icontains=query)
            | Q(contacts__name__icontains=query)
            | Q(contacts__email__icontains=query)
        ).distinct()
    return customers.annotate(booking_count=Count("bookings", distinct=True)).order_by("name", "id")
