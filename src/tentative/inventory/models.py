"""Capacity pools and what each booking line holds in them.

This app is the only code that changes `taken`. The check constraint is the last line of
defence: even a bug elsewhere cannot commit an oversold pool.
"""

from django.db import models
from django.db.models import F, Q

from tentative.accounts.models import Organisation
from tentative.catalog.models import EventDate, TicketType


class CapacityPool(models.Model):
    """A count of places: a date's capacity, or a ticket type's quota on that date."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="pools")
    event_date = models.ForeignKey(EventDate, on_delete=models.CASCADE, related_name="pools")
    ticket_type = models.ForeignKey(
        TicketType, null=True, blank=True, on_delete=models.CASCADE, related_name="pools"
    )
    capacity = models.PositiveIntegerField()
    taken = models.PositiveIntegerField(default=0)
    set_aside = models.PositiveIntegerField(default=0)  # held in reserves

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(taken__gte=0) & Q(set_aside__gte=0),
                name="pool_counts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=F("taken") + F("set_aside")), name="pool_not_oversold"
            ),
            models.UniqueConstraint(
                fields=["event_date"], condition=Q(ticket_type=None), name="one_pool_per_date"
            ),
            models.UniqueConstraint(
                fields=["event_date", "ticket_type"],
                condition=Q(ticket_type__isnull=False),
                name="one_quota_per_date_and_type",
            ),
        ]

    def __str__(self) -> str:
        label = f"{self.event_date}" + (f" / {self.ticket_type.name}" if self.ticket_type else "")
        return f"{label}: {self.taken}+{self.set_aside}/{self.capacity}"

    @property
    def free(self) -> int:
        return self.capacity - self.taken - self.set_aside


class Hold(models.Model):
    """What one booking line consumed in one pool: releasing it is exact, and `reconcile`
    can recompute every pool from these rows and the bookings' `holds_capacity` flag."""

    line = models.ForeignKey("bookings.BookingLine", on_delete=models.CASCADE, related_name="holds")
    pool = models.ForeignKey(CapacityPool, on_delete=models.PROTECT, related_name="holds")
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["line", "pool"], name="one_hold_per_line_and_pool"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="hold_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} in pool {self.pool_id}"
