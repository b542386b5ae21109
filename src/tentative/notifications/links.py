"""Links in the customer's emails to the right page of their personal space (issue 12).

`manage_url(booking)`: the booking's page in the portal, absolute (`settings.PUBLIC_URL`).
Whoever opens it signs in first when needed (an emailed one-time link), and sees it only if
the booking is theirs: the URL holds no secret, so forwarding the email gives nothing away.
Every email that asks the customer to act reads it as `{{ manage_url }}`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse


def manage_url(booking: Any) -> str:
    if not booking.customer_id:
        return ""
    try:
        path = reverse("portal:booking", args=[booking.organisation.slug, booking.reference])
    except NoReverseMatch:
        return ""
    return f"{settings.PUBLIC_URL}{path}"
