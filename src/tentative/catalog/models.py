"""What can be booked: events, their dates, and ticket types with prices.

Appointment slots of a staff member and room sessions are later offers of the same engine:
a booking line points at a dated thing and consumes capacity pools or time claims.
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tentative.accounts.models import Organisation
from tentative.core.deadlines import AtLimit, DeadlineRule, Policy


class Event(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="events")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class EventDate(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="dates")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="date_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.starts_at:%Y-%m-%d %H:%M}"


class TicketType(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="ticket_types")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    price = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    # Seed 000: the customer books, staff approve, and only then is the customer charged.
    requires_approval = models.BooleanField(default=False)
    # Whether a pending request holds places (DESIGN §1.6): some businesses hold them,
    # others let requests overbook and re-check capacity at approval.
    requests_hold_capacity = models.BooleanField(default=True)
    reservable = models.BooleanField(
        default=True, help_text=_("May be booked as an option (book now, pay later).")
    )
    deadline_days_after_booking = models.PositiveSmallIntegerField(null=True, blank=True)
    deadline_days_before_start = models.PositiveSmallIntegerField(null=True, blank=True)
    quota_per_date = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("At most this many per date, within the date's capacity."),
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gte=0), name="price_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.event}: {self.name}"

    def deadline_rule(self, org: Organisation) -> DeadlineRule:
        days_after = self.deadline_days_after_booking
        if days_after is None and self.deadline_days_before_start is None:
            days_after = 7  # an option must always end somewhere
        return DeadlineRule(
            days_after_booking=days_after,
            days_before_start=self.deadline_days_before_start,
            policy=Policy(org.deadline_policy),
            grace=org.deadline_grace,
            at_limit=AtLimit(org.deadline_at_limit),
        )
