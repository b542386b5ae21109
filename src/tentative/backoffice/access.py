"""The signed-in staff member's organisation, as an Actor for the actions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone

from tentative.accounts.models import StaffMembership
from tentative.shared.actor import Actor


def staff_actor(request: HttpRequest) -> Actor:
    """Staff work in one organisation at a time: their first membership for now.

    Every staff page asks for its actor first, so this is also where the page's times
    switch to the organisation's time zone (stored in UTC, read where the business is)."""
    membership = (
        StaffMembership.objects.select_related("user", "organisation")
        .filter(user=request.user)
        .order_by("id")
        .first()
    )
    if membership is None:
        raise PermissionDenied
    timezone.activate(membership.organisation.zone)
    # base.html names the organisation in the app bar, without another query.
    request.staff_organisation = membership.organisation  # type: ignore[attr-defined]
    return Actor.staff(membership)


__all__ = ["login_required", "staff_actor"]
