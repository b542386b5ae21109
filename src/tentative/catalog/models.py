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
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tentative.accounts.models import Audience, Organisation, StaffMembership
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
    # When it can be booked (issue 13, docs/availability.md). A start must be at least
    # `min_notice` after now and at most `horizon_days` calendar days ahead; starts fall
    # every `slot_step` from the start of each working range (empty: every `duration`).
    min_notice = models.DurationField(
        default=timedelta(0), help_text=_("How long before the start a booking must be made.")
    )
    horizon_days = models.PositiveSmallIntegerField(
        default=90,
        validators=[MinValueValidator(1)],
        help_text=_("How many days ahead it can be booked."),
    )
    slot_step = models.DurationField(
        null=True,
        blank=True,
        help_text=_("Offer a start time every… (empty: one after another, every duration)."),
    )
    # Approval only when the start is closer than this many hours (a late request needs a
    # look, an early one is confirmed at once); empty: always, when `requires_approval`.
    approval_below_hours = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Approval only for requests made less than this many hours ahead."),
    )
    # Sold through a membership or a package: such services cannot need approval (seed 003).
    sold_in_packages = models.BooleanField(default=False)
    # A room that sells places (issue 14 item 1): each session is a date of `places_event`
    # with this many places, shared by several groups; None: the room is booked whole.
    places_per_session = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    places_event = models.OneToOneField(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="room_game"
    )

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
            models.CheckConstraint(
                condition=models.Q(min_notice__gte=timedelta(0)),
                name="service_notice_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(slot_step=None) | models.Q(slot_step__gt=timedelta(0)),
                name="service_step_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        refusal = approval_refusal(self)
        if refusal is not None:
            raise ValidationError({"requires_approval": refusal})

    @property
    def resource_kind(self) -> str:
        return Resource.Kind.STAFF if self.kind == self.Kind.APPOINTMENT else Resource.Kind.ROOM

    @property
    def is_group_class(self) -> bool:
        """More than one client per slot: a class, not a one-to-one appointment."""
        return self.max_participants > 1

    @property
    def several_may_request(self) -> bool:
        """*Several clients may request the same slot* (seed 003) is the engine's
        `requests_hold_capacity` turned around: a request that holds nothing leaves the slot
        bookable until one of them is approved."""
        return self.requires_approval and not self.requests_hold_capacity

    @property
    def step(self) -> timedelta:
        return self.slot_step or self.duration

    def needs_approval(self, starts_at: datetime, now: datetime) -> bool:
        """Whether a customer's request for `starts_at` made at `now` waits for staff."""
        if not self.requires_approval:
            return False
        if self.approval_below_hours is None:
            return True
        return starts_at - now < timedelta(hours=self.approval_below_hours)


APPROVAL_FOR_CLASSES = _(
    "Group classes cannot require approval: approve or decline requests only for "
    "one-to-one appointments."
)
APPROVAL_FOR_PACKAGES = _(
    "Services sold through a membership or a package cannot require approval."
)


def approval_refusal(service: Service) -> str | None:
    """Why this service may not need approval (as Wix Bookings refuses it), or None."""
    if not service.requires_approval:
        return None
    if service.is_group_class:
        return str(APPROVAL_FOR_CLASSES)
    if service.sold_in_packages:
        return str(APPROVAL_FOR_PACKAGES)
    return None


class LivePrices(models.Manager["ServicePrice"]):
    """The prices on offer: a category removed after it was sold stays for its lines
    (`retired_at`), reached through them, never offered again."""

    def get_queryset(self) -> models.QuerySet["ServicePrice"]:
        return super().get_queryset().filter(retired_at=None)


class ServicePrice(models.Model):
    """A price of a service: one for an appointment, one per player category for a room
    session (adult, child, student…): the players of a booking are counted per price."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="prices")
    name = models.CharField(max_length=100)
    price = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    # Seed 004: a price per player (the default) or per group: the session costs `price`
    # whatever the number of players in this category (a birthday package).
    per_group = models.BooleanField(default=False)
    # Removed from the room's page after it was sold: kept for the lines that name it.
    retired_at = models.DateTimeField(null=True, blank=True)
    # A room that sells places offers each per-player category as this ticket type.
    ticket_type = models.OneToOneField(
        TicketType, null=True, blank=True, on_delete=models.SET_NULL, related_name="room_price"
    )

    # The default manager (`service.prices`, `ServicePrice.objects`) offers live prices;
    # a line's `service_price` goes through the base manager and still finds a retired one.
    every = models.Manager()
    objects = LivePrices()

    class Meta:
        ordering = ["id"]
        base_manager_name = "every"
        default_manager_name = "objects"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="service_price_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.name}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


# A range that ends at 00:00 ends at midnight, at the end of its day.
END_OF_DAY = time(0)


class WorkingHours(models.Model):
    """One range of a resource's weekly hours, in wall-clock time of the organisation's
    zone: several rows make several ranges a day (09:00–12:00 and 14:00–18:00)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField()
    ends = models.TimeField(help_text=_("00:00 means midnight, at the end of the day."))

    class Meta:
        ordering = ["weekday", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6), name="hours_weekday_range"
            ),
            models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts")) | models.Q(ends=END_OF_DAY),
                name="hours_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"


class HoursException(models.Model):
    """A one-off change to a resource's hours on a day or a range of days: closed (a day
    off, holidays; the whole day, or only `starts`–`ends` of each day) or open for extra
    hours (`starts`–`ends` of each day, on top of the weekly hours)."""

    class Kind(models.TextChoices):
        CLOSED = "closed", _("Closed")
        OPEN = "open", _("Extra opening hours")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="exceptions")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.CLOSED)
    first_day = models.DateField()
    last_day = models.DateField()
    starts = models.TimeField(null=True, blank=True)
    ends = models.TimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["first_day", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")),
                name="exception_days_in_order",
            ),
            # Both times or neither; extra hours always have them.
            models.CheckConstraint(
                condition=(models.Q(starts=None) & models.Q(ends=None) & models.Q(kind="closed"))
                | (
                    models.Q(starts__isnull=False, ends__isnull=False)
                    & (models.Q(ends__gt=models.F("starts")) | models.Q(ends=END_OF_DAY))
                ),
                name="exception_times_shape",
            ),
        ]
        indexes = [models.Index(fields=["resource", "last_day"], name="exceptions_by_day")]

    def __str__(self) -> str:
        return f"{self.resource} {self.kind} {self.first_day}–{self.last_day}"

    @property
    def whole_day(self) -> bool:
        return self.starts is None


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


class SalesProfile(models.Model):
    """Which products are for sale and which reservable, for some channels and audiences
    during a period of sale (seed 001). Overlaps resolve by the rule of `core/sales.py`
    (docs/sales.md)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="sales_profiles"
    )
    name = models.CharField(max_length=200)
    # Channel codes (core.sales.CHANNELS); empty: every channel.
    channels = models.JSONField(default=list, blank=True)
    # Empty: every audience.
    audiences = models.ManyToManyField(Audience, blank=True, related_name="sales_profiles")
    # The period of sale: when customers book, not when the event takes place.
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    priority = models.SmallIntegerField(default=0)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at=None)
                | models.Q(ends_at=None)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="profile_period_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name


class SalesProfileItem(models.Model):
    """A product of a profile: one ticket type, an event (all its ticket types), or, with
    neither, every product of the organisation; for sale and/or reservable. With neither
    flag, the item takes the product off sale."""

    profile = models.ForeignKey(SalesProfile, on_delete=models.CASCADE, related_name="items")
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.CASCADE)
    ticket_type = models.ForeignKey(TicketType, null=True, blank=True, on_delete=models.CASCADE)
    for_sale = models.BooleanField(default=True)
    reservable = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(event=None) | models.Q(ticket_type=None),
                name="item_names_one_product",
            ),
        ]

    def __str__(self) -> str:
        return str(self.ticket_type or self.event or _("Every product"))


class SessionRule(models.Model):
    """When a room's sessions start (seed 004): on these weekdays, at these wall-clock times
    in the organisation's zone, between two dates (either open). A room may have several
    rules (weekdays and weekends at other times); `core.sessions` expands them.

    A session lasts the service's `duration`, and the room is reset for `buffer_after`
    before the next may start: both are the service's, so the claim a booking makes is the
    session plus its reset time, and the engine's time claims refuse a second group."""

    room = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="session_rules")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="session_rules")
    # Digits of the weekdays, Monday = 0: "123456" is Tuesday to Sunday.
    weekdays = models.CharField(max_length=7)
    # Start times, "HH:MM" separated by spaces: "10:00 11:30 14:00".
    times = models.CharField(max_length=400)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_on=None)
                | models.Q(ends_on=None)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="session_rule_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.room}: {self.weekdays} {self.times}"


class ClosedDay(models.Model):
    """A day a room has no session whatever its rules say (a holiday, maintenance)."""

    room = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="closed_days")
    day = models.DateField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["room", "day"], name="room_closed_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.room} closed {self.day}"
