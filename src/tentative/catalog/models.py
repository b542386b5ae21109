"""What can be booked: three kinds of dated offer on one engine (docs/architecture.md).

- A ticket type on an event date consumes *places* in capacity pools (seeds 000–002).
- A service delivered by a resource over a time range consumes *the resource's time*: an
  appointment with a staff member (seed 003) or a session of a room with players per price
  category (seed 004). Appointments and room sessions differ in who delivers them and how
  they are priced, not in how they are booked, so they are one model with a kind.

Whatever is booked, the terms that decide its lifecycle (approval, whether a request holds,
whether it may be reserved, the deadline rule) are the same fields (`OfferTerms`), so the
engine asks any offer the same questions.
"""

import zoneinfo
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tentative.accounts.models import Organisation, StaffMembership
from tentative.core.approval import Charge, window_refusal
from tentative.core.deadlines import AtLimit, DeadlineRule, Policy

CHARGE_CHOICES = [
    (Charge.NONE.value, _("Nothing online: approving confirms the booking")),
    (
        Charge.AFTER_APPROVAL.value,
        _("Paid after approval: a payment request with a deadline"),
    ),
    (
        Charge.AUTHORISE.value,
        _("Card authorised at request, captured on approval, released on refusal"),
    ),
]
WINDOW_MESSAGES = {
    "no_decision_days": _(
        "Authorising the card at request time needs requests decided within at most "
        "%(window)s days: set “decide within”."
    ),
    "window_too_short": _(
        "A card authorisation lasts %(window)s days: requests decided within %(days)s days "
        "could be accepted after it lapsed. Decide within %(window)s days or fewer, or charge "
        "after approval."
    ),
}


def authorisation_days() -> int:
    """How long the card provider's authorisations last (the simulated one's setting)."""
    return int(settings.SIMULATED_AUTHORISATION_DAYS)


class OfferTerms(models.Model):
    """What the engine asks any offer: approval, holding, reserving, and the deadline rule."""

    # Seed 000/003: the customer asks, staff approve, and only then is the customer charged.
    requires_approval = models.BooleanField(default=False)
    # Whether a pending request holds what it asks for (DESIGN §1.6): some businesses hold
    # places or the slot, others let requests overbook ("several clients may request the
    # same slot", seed 003) and re-check at approval.
    requests_hold_capacity = models.BooleanField(default=True)
    reservable = models.BooleanField(
        default=True, help_text=_("May be booked as an option (book now, pay later).")
    )
    deadline_days_after_booking = models.PositiveSmallIntegerField(null=True, blank=True)
    deadline_days_before_start = models.PositiveSmallIntegerField(null=True, blank=True)
    # Issue 10 item 4: how an approved request is charged (core/approval.py).
    approval_charge = models.CharField(
        max_length=16, choices=CHARGE_CHOICES, default=Charge.NONE.value
    )
    # A request nobody decided on lapses this many calendar days after it was made (or when
    # the date starts, if sooner); empty: when the date starts.
    decision_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Requests must be decided within this many days."),
    )
    # Shown online beside an offer that needs approval, so customers know they are asking,
    # not buying (issue 11 item 2).
    approval_note = models.TextField(
        blank=True,
        help_text=_("What customers read online: that staff approve each request, and when."),
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        self.check_charge(authorisation_days())

    def check_charge(self, window_days: int) -> None:
        """Refuse a way of charging that the card authorisation window cannot honour."""
        if self.approval_charge != Charge.NONE and not self.requires_approval:
            raise ValidationError(
                {"approval_charge": _("Only an offer that needs approval is charged after it.")}
            )
        refusal = window_refusal(Charge(self.approval_charge), self.decision_days, window_days)
        if refusal is not None:
            raise ValidationError(
                {
                    "decision_days": WINDOW_MESSAGES[refusal]
                    % {"window": window_days, "days": self.decision_days}
                }
            )

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


class Event(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="events")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # The public booking form asks a name for each place (named tickets, a guest list).
    names_required = models.BooleanField(
        default=False, help_text=_("Ask for the name of each person when booking online.")
    )

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


class TicketType(OfferTerms):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="ticket_types")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    price = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
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


class Resource(models.Model):
    """Whose time a booking takes: a staff member or a room, of one organisation.

    Two active time claims on one resource never overlap (`inventory.TimeClaim`)."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("Staff member")
        ROOM = "room", _("Room")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="resources"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    name = models.CharField(max_length=200)
    # A staff member may have a staff account (to see their own diary); a room never does.
    membership = models.ForeignKey(
        StaffMembership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="staff") | models.Q(membership=None),
                name="only_staff_have_accounts",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """A resource keeps the hours of its organisation."""
        return self.organisation.zone


class Service(OfferTerms):
    """A timed offer: an appointment with a staff member, or a session of a room.

    A booking takes the resource from `buffer_before` before the start to `buffer_after`
    after the end (preparation, travel, resetting a room), so buffers are part of the claim.
    """

    class Kind(models.TextChoices):
        APPOINTMENT = "appointment", _("Appointment")
        ROOM_SESSION = "room_session", _("Room session")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="services"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    duration = models.DurationField()
    buffer_before = models.DurationField(default=timedelta(0))
    buffer_after = models.DurationField(default=timedelta(0))
    # Participants (appointments) or players (room sessions) in one booking of a slot.
    min_participants = models.PositiveSmallIntegerField(default=1)
    max_participants = models.PositiveSmallIntegerField(default=1)
    # Who can deliver it: staff members for an appointment, rooms for a session.
    resources = models.ManyToManyField(Resource, related_name="services")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration__gt=timedelta(0)), name="service_has_duration"
            ),
            models.CheckConstraint(
                condition=models.Q(buffer_before__gte=timedelta(0))
                & models.Q(buffer_after__gte=timedelta(0)),
                name="service_buffers_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(min_participants__gte=1)
                & models.Q(max_participants__gte=models.F("min_participants")),
                name="service_participants_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def resource_kind(self) -> str:
        return Resource.Kind.STAFF if self.kind == self.Kind.APPOINTMENT else Resource.Kind.ROOM


class ServicePrice(models.Model):
    """A price of a service: one for an appointment, one per player category for a room
    session (adult, child, student…): the players of a booking are counted per price."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="prices")
    name = models.CharField(max_length=100)
    price = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="service_price_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.name}"


class Question(models.Model):
    """A question of the public booking form, set by staff per event (or per service, for
    appointments). Answers are kept on the booking with the label as it was then."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        CHOICE = "choice", _("One choice in a list")
        CHECKBOX = "checkbox", _("Checkbox (yes or no)")
        NUMBER = "number", _("Number")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="questions"
    )
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.CASCADE, related_name="questions"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="questions"
    )
    label = models.CharField(max_length=200)
    help = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TEXT)
    required = models.BooleanField(default=False)
    # The choices of a "choice" question, one per item.
    choices = models.JSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(event__isnull=False, service=None)
                | models.Q(event=None, service__isnull=False),
                name="question_of_an_event_or_a_service",
            )
        ]

    def __str__(self) -> str:
        return self.label
