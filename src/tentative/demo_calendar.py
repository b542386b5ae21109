"""Demo data of the appointments' faces (issue 13): the demo's owner is also a staff member
who takes appointments (the first one of the appointments demo), so the calendar's
"your appointments in your calendar app" has a diary to subscribe to, and requests with
them reach the owner's mailbox as their own email."""

from __future__ import annotations

from tentative.accounts.models import StaffMembership
from tentative.catalog.models import Resource


def create_calendar_demo(owner: StaffMembership) -> None:
    diary = (
        Resource.objects.filter(
            organisation_id=owner.organisation_id,
            kind=Resource.Kind.STAFF,
            membership=None,
            hours__isnull=False,
        )
        .order_by("id")
        .first()
    )
    if diary is not None:
        diary.membership = owner
        diary.save(update_fields=["membership"])
