"""A waiting list entry: a visitor queueing for places on a full event date (issue 12 item 5).

Position is not stored: it is the entry's rank among the *waiting* entries of the same date
and ticket type, by `created_at` then id (`selectors.position`), so nobody has to renumber
the queue when someone leaves. An offer is a real option on the engine (`offer`, a booking
holding the places until its deadline); the entry only remembers which one it is.

Only the actions in `tentative.waitlist.actions` assign `state`.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tentative.accounts.models import Customer, Organisation
from tentative.bookings.models import Booking
from tentative.catalog.models import EventDate, TicketType


def new_token() -> str:
    return secrets.token_urlsafe(24)


class WaitlistEntry(models.Model):
    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offer open")
        ACCEPTED = "accepted", _("Offer accepted")
        LAPSED = "lapsed", _("Offer lapsed")
        DECLINED = "declined", _("Offer declined")
        LEFT = "left", _("Left the list")
        REMOVED = "removed", _("Removed by staff")

    # Entries still in the queue or holding an offer; the others are history.
    LIVE = (State.WAITING, State.OFFERED)

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="waitlist_entries"
    )
    event_date = models.ForeignKey(
        EventDate, on_delete=models.CASCADE, related_name="waitlist_entries"
    )
    # None: any ticket type of the event (the offer is made in its first one).
    ticket_type = models.ForeignKey(
        TicketType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="waitlist_entries"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField()
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    quantity = models.PositiveSmallIntegerField()
    accepts_partial = models.BooleanField(default=False)
    state = models.CharField(max_length=16, choices=State.choices, default=State.WAITING)
    created_at = models.DateTimeField()  # the queue's order
    updated_at = models.DateTimeField()
    # The open (or last) offer: an option on the engine, and how many places it holds.
    offer = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    offered_quantity = models.PositiveSmallIntegerField(default=0)
    offered_at = models.DateTimeField(null=True, blank=True)
    # The visitor's page (`/o/<slug>/waiting-list/<token>/`): whoever holds the link sees
    # the entry, leaves, or takes the offer; unguessable, like a payment link.
    token = models.CharField(max_length=64, unique=True, default=new_token)

    class Meta:
        verbose_name_plural = "waitlist entries"
        indexes = [
            models.Index(
                fields=["event_date", "ticket_type", "created_at", "id"],
                condition=Q(state="waiting"),
                name="waitlist_queue",
            ),
            models.Index(
                fields=["offer"], condition=Q(state="offered"), name="waitlist_open_offers"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="waitlist_wants_places"),
            # One live entry per address for a date and ticket type (two tabs, a double
            # click); "any ticket type" entries are checked by the action only.
            models.UniqueConstraint(
                fields=["event_date", "ticket_type", "email"],
                condition=Q(state__in=["waiting", "offered"]),
                name="waitlist_one_live_entry_per_address",
            ),
            models.CheckConstraint(
                condition=~Q(state="offered") | Q(offer__isnull=False),
                name="waitlist_offer_is_a_booking",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity} ({self.state})"
