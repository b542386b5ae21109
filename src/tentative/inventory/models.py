"""Capacity pools, what each booking line holds in them, and capacity reserves.

This app is the only code that changes `taken`. The check constraint is the last line of
defence: even a bug elsewhere cannot commit an oversold pool.

Reserves (DESIGN §1.3, §2.4) are pools of their own: a reserve's allocation on a date and
ticket type is a `CapacityPool` row with `reserve` set, and the date's general pool (and the
ticket type's quota pool, where there is one) counts what reserves hold in `set_aside`.
Reserved seating does not exist in Tentative yet; when a seated price is added, reserves
must refuse it (the source product does not support reserves on seated prices either).
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tentative.accounts.models import Organisation, StaffMembership
from tentative.catalog.models import EventDate, Resource, TicketType


class Reserve(models.Model):
    """Named places set aside at organisation level, for a group of staff (seed 002)."""

    class Kind(models.TextChoices):
        # Places are only put aside; staff release them to general sale before selling them.
        WITHOUT_ACCESS = "without_access", _("Without access (places are only put aside)")
        # Staff who have access book from it for a customer or attendee.
        WITH_ACCESS = "with_access", _("With access (staff book from it)")

    class Audience(models.TextChoices):
        ALL_STAFF = "all_staff", _("All staff users")
        SELECTED = "selected", _("Selected users")

    class CancelledPlaces(models.TextChoices):
        RESERVE = "reserve", _("Return to the reserve")
        GENERAL = "general", _("Return to general sale")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="reserves"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.WITH_ACCESS)
    audience = models.CharField(max_length=16, choices=Audience.choices, default=Audience.ALL_STAFF)
    # With the SELECTED audience: who may book from it (the owner always may).
    members = models.ManyToManyField(StaffMembership, blank=True, related_name="reserves")
    # What a cancelled (or expired, declined) booking drawn from this reserve gives back to.
    cancelled_places_to = models.CharField(
        max_length=16, choices=CancelledPlaces.choices, default=CancelledPlaces.RESERVE
    )
    # The default scheduled release for each new date: undrawn places go back to general
    # sale this long before the date starts (None: no automatic release).
    release_before = models.DurationField(null=True, blank=True)
    created_at = models.DateTimeField()
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                condition=Q(archived_at=None),
                name="one_live_reserve_per_name",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ReserveDate(models.Model):
    """A reserve on one event date: its scheduled release, and what it gave back so far.

    Lock order: pools first (ascending id), then these rows.
    """

    reserve = models.ForeignKey(Reserve, on_delete=models.CASCADE, related_name="dates")
    event_date = models.ForeignKey(
        EventDate, on_delete=models.CASCADE, related_name="reserve_dates"
    )
    release_at = models.DateTimeField(null=True, blank=True)  # undrawn places go back then
    notice_at = models.DateTimeField(null=True, blank=True)  # the day before release_at
    notice_sent_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released = models.PositiveIntegerField(default=0)  # places returned to general sale

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reserve", "event_date"], name="one_reserve_date_per_date"
            )
        ]
        indexes = [
            models.Index(
                fields=["release_at"],
                condition=Q(released_at=None, release_at__isnull=False),
                name="reserve_release_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reserve} on {self.event_date}"


class CapacityPool(models.Model):
    """A count of places: a date's capacity, a ticket type's quota on that date, or what a
    reserve holds of a ticket type on that date (`reserve` set; its `set_aside` stays 0)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="pools")
    event_date = models.ForeignKey(EventDate, on_delete=models.CASCADE, related_name="pools")
    ticket_type = models.ForeignKey(
        TicketType, null=True, blank=True, on_delete=models.CASCADE, related_name="pools"
    )
    capacity = models.PositiveIntegerField()
    taken = models.PositiveIntegerField(default=0)
    set_aside = models.PositiveIntegerField(default=0)  # held in reserves
    reserve = models.ForeignKey(
        Reserve, null=True, blank=True, on_delete=models.PROTECT, related_name="pools"
    )

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
                condition=Q(ticket_type__isnull=False, reserve=None),
                name="one_quota_per_date_and_type",
            ),
            models.UniqueConstraint(
                fields=["reserve", "event_date", "ticket_type"],
                condition=Q(reserve__isnull=False),
                name="one_reserve_pool_per_date_and_type",
            ),
            # A reserve holds places of one price, and never sets places aside itself.
            models.CheckConstraint(
                condition=Q(reserve=None) | (Q(ticket_type__isnull=False) & Q(set_aside=0)),
                name="reserve_pool_shape",
            ),
        ]

    def __str__(self) -> str:
        label = f"{self.event_date}" + (f" / {self.ticket_type.name}" if self.ticket_type else "")
        if self.reserve_id:
            label += f" / {self.reserve}"
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


class TimeClaim(models.Model):
    """What one booking line took of a resource's time: from its start less the service's
    buffer before, to its end plus the buffer after.

    `active` mirrors the booking's `holds_capacity` (the same transition rules decide both),
    and two active claims of one resource never overlap. The database enforces that: an
    exclusion constraint over `tstzrange(starts_at, ends_at)` on PostgreSQL, triggers doing
    the same check on SQLite, whose writers are serialised (migration 0003). A claim row
    exists for every timed line whatever its state, so a quote or a request that holds
    nothing still knows which slot it wants, and activating it re-checks the slot.
    """

    line = models.ForeignKey(
        "bookings.BookingLine", on_delete=models.CASCADE, related_name="claims"
    )
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="claims")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    active = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="claim_ends_after_start"
            ),
            models.UniqueConstraint(fields=["line"], name="one_claim_per_line"),
        ]
        indexes = [
            # Availability and the overlap search read a resource's active claims by time.
            models.Index(
                fields=["resource", "starts_at"],
                condition=Q(active=True),
                name="active_claims_by_resource",
            )
        ]

    def __str__(self) -> str:
        state = "active" if self.active else "inactive"
        return f"{self.resource_id} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M} ({state})"
