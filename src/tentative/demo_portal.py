"""Demo data for the personal space (issue 12): Camille Martin's space shows a reservation
to pay, a paid booking with its tickets and a request pending approval; the demo prints a
fresh one-time sign-in link for her (valid SESAME_MAX_AGE) and how to get another."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tentative.accounts.actions import customer_user, sign_in_url
from tentative.accounts.models import Customer, Organisation
from tentative.bookings import actions
from tentative.bookings.actions import LineRequest
from tentative.catalog.models import TicketType
from tentative.core.states import State
from tentative.shared.actor import Actor

EMAIL = "camille@example.org"


def create_portal_demo(org: Organisation) -> dict[str, str]:
    camille = Customer.objects.get(organisation=org, email=EMAIL)
    # A request she made online herself, pending the organiser's approval (the gala).
    entry = TicketType.objects.filter(event__organisation=org, requires_approval=True).first()
    if entry is not None:
        date = entry.event.dates.order_by("starts_at").first()
        actions.create_booking(
            actor=Actor.customer(camille, via="portal"),
            organisation_id=org.id,
            mode=State.REQUEST,
            customer_id=camille.id,
            lines=[LineRequest(date.id, entry.id, 1)],
            now=timezone.now(),
        )
    user = customer_user(org.id, EMAIL)
    sign_in = reverse("portal:sign_in", args=[org.slug])
    minutes = settings.SESAME_MAX_AGE // 60
    return {
        f"personal space of {EMAIL} (one-time link, {minutes} min)": sign_in_url(org, user),
        "another sign-in link": (
            f"ask one at {settings.PUBLIC_URL}{sign_in} with {EMAIL}; with the worker "
            f"running it arrives at {settings.PUBLIC_URL}/staff/notifications/mail/"
        ),
    }
