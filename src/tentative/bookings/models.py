"""The booking aggregate: a booking, its lines and participants (its audit trail is the
`audit` app's, as `booking.audit`).

Only the action functions in `tentative.bookings.actions` assign `state` (a test scans for it).
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tentative.accounts.models import Customer, Organisation
from tentative.bookings import deadline_text, labels
from tentative.catalog.models import EventDate, Resource, Service, ServicePrice, TicketType
from tentative.core.deadlines import AtLimit
from tentative.core.states import Action, State

STATE_CHOICES = [(s.value, s.value) for s in State]
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone


def new_reference() -> str:
    return "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))


def line_amount(unit_price: Decimal, quantity: int, *, per_group: bool = False) -> Decimal:
    """A line's price: per place, or one price for the group whatever its size."""
    return unit_price if per_group else unit_price * quantity


class Channel(models.TextChoices):
    WEB = "web", _("Web shop")
    BOX_OFFICE = "box_office", _("Box office")
    PHONE = "phone", _("Phone")
    B2B = "b2b", _("B2B portal")
    API = "api", _("API")


class Booking(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="bookings"
    )
    reference = models.CharField(max_length=12, unique=True, default=new_reference)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.WEB)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    state = models.CharField(max_length=16, choices=STATE_CHOICES)
    # True while this booking's Hold rows are counted in their pools' `taken`.
    holds_capacity = models.BooleanField(default=False)
    # Copied from the offer at creation, so a later change of setting cannot strand places.
    requests_hold = models.BooleanField(default=True)
    # DESIGN §1.6: the deadline the customer reads, the limit actually enforced, what happens
    # there, and the rule that produced them, as text.
    deadline_shown = models.DateTimeField(null=True, blank=True)
    deadline_enforced = models.DateTimeField(null=True, blank=True)
    at_limit = models.CharField(
        max_length=16, choices=[(a.value, a.value) for a in AtLimit], default=AtLimit.RELEASE
    )
    deadline_rule = models.CharField(max_length=300, blank=True)
    # The rule's parameters (bookings/deadline_text.py), to write it in the reader's
    # language; None on bookings made before they were stored, which show `deadline_rule`.
    deadline_terms = models.JSONField(null=True, blank=True)
    total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    currency = models.CharField(max_length=3)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # The public checkout (bookings/actions/hold.py, checkout.py): the secret of the page
    # where the visitor completes a held option (None once submitted or never held), how
    # many times they asked for more time, what they chose, and the answers to the event's
    # questions, keyed by question id with the label as it was asked:
    # {"12": {"label": ..., "value": ...}}.
    checkout_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    checkout_extensions = models.PositiveSmallIntegerField(default=0)
    # What the visitor chose at the checkout: "buy", "reserve" or "request" ("" otherwise).
    checkout_mode = models.CharField(max_length=8, blank=True)
    answers = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "state", "created_at"]),
            # The staff bookings list, newest first: walked from the top and stopped at the
            # page (bench/bookings_list.py), where a sort of every booking spilled to disk.
            models.Index(
                fields=["organisation", "-created_at", "-id"], name="booking_list_newest_first"
            ),
            # The lapsed-option sweep and the inline reclaim look options up by their limit.
            models.Index(
                fields=["deadline_enforced"],
                condition=Q(holds_capacity=True),
                name="booking_holding_by_limit",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state__in=["quote", "expired", "declined", "cancelled"])
                | Q(holds_capacity=False),
                name="only_live_states_hold",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.state})"

    @property
    def state_enum(self) -> State:
        return State(self.state)

    @property
    def rule_text(self) -> str:
        """The deadline rule in the reader's language."""
        return deadline_text.rule_text(self.deadline_terms, self.deadline_rule)

    def get_state_display(self) -> str:
        """The state in the reader's language (the choices keep the codes: no migration)."""
        return labels.label(labels.STATES, self.state)


class BookingLine(models.Model):
    """One thing booked, of one of the offer kinds (catalog/models.py), at one time.

    A ticket line names a date and a ticket type; a timed line (an appointment, or the
    players of one price category in a room session) names a service, a price and the
    resource that delivers it. `starts_at`/`ends_at` are on every line, copied from the
    date or computed from the service, so deadlines and moves read one pair of fields.
    What the line consumes is recorded beside it: `Hold` rows (places in pools) and
    `TimeClaim` rows (a resource's time), both in the inventory.
    """

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="lines")
    event_date = models.ForeignKey(
        EventDate, null=True, blank=True, on_delete=models.PROTECT, related_name="lines"
    )
    ticket_type = models.ForeignKey(
        TicketType, null=True, blank=True, on_delete=models.PROTECT, related_name="lines"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="lines"
    )
    service_price = models.ForeignKey(
        ServicePrice, null=True, blank=True, on_delete=models.PROTECT, related_name="lines"
    )
    resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.PROTECT, related_name="lines"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    # Copied from a per-group ServicePrice at booking: the line costs `unit_price` whatever
    # its quantity (the players of the group), so a later change of price cannot reprice it.
    per_group = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="line_quantity_positive"),
            models.CheckConstraint(
                condition=(
                    Q(event_date__isnull=False, ticket_type__isnull=False)
                    & Q(service=None, service_price=None, resource=None)
                )
                | (
                    Q(event_date=None, ticket_type=None)
                    & Q(service__isnull=False, service_price__isnull=False)
                    & Q(resource__isnull=False)
                ),
                name="line_is_one_kind_of_offer",
            ),
        ]
        indexes = [models.Index(fields=["resource", "starts_at"], name="line_by_resource")]

    def __str__(self) -> str:
        if self.ticket_type_id:
            return f"{self.quantity} × {self.ticket_type_id} on {self.event_date_id}"
        return f"{self.quantity} × {self.service_price_id} at {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def amount(self) -> Decimal:
        """What the line costs: its price per place times the places, or its group price."""
        return line_amount(self.unit_price, self.quantity, per_group=self.per_group)

    @property
    def is_timed(self) -> bool:
        return self.service_id is not None

    # In words, for emails, pages, calendars and webhooks (select_related what they read:
    # LINE_WORDS): the title (an event, a service), the item (a ticket type, a price), and
    # who or where for a timed line (a staff member, a room).
    @property
    def title(self) -> str:
        return self.event_date.event.name if self.ticket_type_id else self.service.name

    @property
    def item(self) -> str:
        return self.ticket_type.name if self.ticket_type_id else self.service_price.name

    @property
    def resource_name(self) -> str:
        return self.resource.name if self.resource_id else ""


# What `title`, `item` and `resource_name` read, for select_related.
LINE_WORDS = ("event_date__event", "ticket_type", "service", "service_price", "resource")


class Participant(models.Model):
    """An attendee or player, filled at booking or later."""

    line = models.ForeignKey(BookingLine, on_delete=models.CASCADE, related_name="participants")
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)

    def __str__(self) -> str:
        return self.name or self.email


ACTION_CHOICES = [(a.value, a.value) for a in Action]


class HoldAttempt(models.Model):
    """A checkout hold asked from one address, kept for the rate limit's window
    (`actions/hold.py`): a table, so every app server counts the same attempts. The
    address is stored as a keyed hash, never raw."""

    key = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["key", "at"], name="hold_attempts_by_key")]

    def __str__(self) -> str:
        return f"{self.key[:8]} at {self.at:%Y-%m-%d %H:%M}"


def photo_path(photo: "SessionPhoto", filename: str) -> str:
    """Where a session photo's bytes go in the storage: never the name the uploader gave
    (only its extension, from the decoded format), one folder per organisation and month."""
    return f"session-photos/{photo.organisation_id}/{photo.uploaded_at:%Y/%m}/{filename}"


class SessionPhoto(models.Model):
    """A photo of a room session's group (seed 004 "Photos"), uploaded by staff.

    The bytes live in Django's storage (`STORAGES["default"]`: the file system under
    TENTATIVE_DATA_DIR/media, or any backend set there, e.g. S3-compatible), checked and
    stripped of location data on the way in (`actions/add_session_photo.py`). Nothing
    serves that storage publicly: a staff view checks the organisation. After 60 days the
    worker moves the bytes to `STORAGES["photo_archive"]` (`archived_at` set); staff bring
    one back on request (`restore_session_photo`)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=photo_path, max_length=300)
    content_type = models.CharField(max_length=30)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField()
    uploaded_by = models.CharField(max_length=200, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["booking", "uploaded_at"], name="photos_of_a_booking"),
            models.Index(fields=["archived_at", "uploaded_at"], name="photos_to_archive"),
        ]

    def __str__(self) -> str:
        return f"photo {self.pk} of booking {self.booking_id}"
