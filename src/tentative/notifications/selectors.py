"""The staff dashboard's counters, counted by one query each time (never cached numbers)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Q

from tentative.bookings.models import Booking
from tentative.core.states import State

EXPIRING_WITHIN = timedelta(hours=48)


def dashboard_counts(organisation_id: int, *, now: datetime) -> dict[str, int]:
    """Pending requests, options whose deadline falls within 48 h, and overdue options.

    "Overdue" counts every option past its shown deadline: under the flexible policy they
    wait for staff; under the strict one they are about to be released by the sweep.
    """
    option = Q(state=State.OPTION.value)
    return Booking.objects.filter(organisation_id=organisation_id).aggregate(
        pending_requests=Count("id", filter=Q(state=State.REQUEST.value)),
        expiring_soon=Count(
            "id",
            filter=option & Q(deadline_shown__gt=now, deadline_shown__lte=now + EXPIRING_WITHIN),
        ),
        overdue=Count("id", filter=option & Q(deadline_shown__lte=now)),
    )
