"""Where a booking's page is, for every list that names a booking."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse


def booking_url(reference: str) -> str:
    """The booking page (`/staff/bookings/<REF>/`, issue 11 item 3); until it exists, the
    same address, which its payments page sits under."""
    try:
        return reverse("backoffice:booking", args=[reference])
    except NoReverseMatch:
        payments = reverse("backoffice:booking_payments", args=[reference])
        return payments.removesuffix("payments/")
