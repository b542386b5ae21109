"""The customer's own data, as JSON (issue 12 item 8): what the organisation holds about
them — the customer rows, their contacts, their bookings with lines and attendees, their
payments and refunds. Only what the signed-in user's customers own (`Space`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tentative.bookings.models import LINE_WORDS
from tentative.portal.space import Space


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def personal_data(space: Space, *, now: datetime) -> dict[str, Any]:
    customers = []
    for customer in space.customers:
        customers.append(
            {
                "id": customer.id,
                "kind": customer.kind,
                "name": customer.name,
                "email": customer.email,
                "phone": customer.phone,
                "language": customer.language,
                "contacts": [
                    {"name": c.name, "email": c.email, "phone": c.phone, "role": c.role}
                    for c in customer.contacts.order_by("id")
                ],
            }
        )
    bookings = []
    for booking in (
        space.bookings().order_by("created_at", "id").prefetch_related("payments__refunds")
    ):
        lines = booking.lines.select_related(*LINE_WORDS).prefetch_related("participants")
        bookings.append(
            {
                "reference": booking.reference,
                "customer": booking.customer_id,
                "state": booking.state,
                "channel": booking.channel,
                "language": booking.language,
                "created_at": _when(booking.created_at),
                "deadline": _when(booking.deadline_shown),
                "total": str(booking.total),
                # The answers to the event's questions, with each label as it was asked.
                "answers": booking.answers,
                "currency": booking.currency,
                "lines": [
                    {
                        "title": line.title,
                        "item": line.item,
                        "with": line.resource_name,
                        "starts_at": _when(line.starts_at),
                        "ends_at": _when(line.ends_at),
                        "quantity": line.quantity,
                        "unit_price": str(line.unit_price),
                        # The answers given at booking: the attendees' names and addresses.
                        "attendees": [
                            {"name": p.name, "email": p.email}
                            for p in line.participants.order_by("id")
                        ],
                    }
                    for line in lines.order_by("id")
                ],
                "payments": [
                    {
                        "reference": p.reference,
                        "method": p.method,
                        "state": p.state,
                        "amount": str(p.amount),
                        "captured": str(p.captured),
                        "refunded": str(p.refunded),
                        "currency": p.currency,
                        "created_at": _when(p.created_at),
                        "refunds": [
                            {
                                "amount": str(r.amount),
                                "state": r.state,
                                "created_at": _when(r.created_at),
                            }
                            for r in p.refunds.all()
                        ],
                    }
                    for p in booking.payments.all()
                ],
            }
        )
    return {
        "organisation": space.organisation.name,
        "exported_at": now.isoformat(),
        "email": space.user.email,
        "customers": customers,
        "bookings": bookings,
    }
