"""The transactional outbox and what the worker records around it.

An action writes one `event` row in its own transaction (one INSERT on the hot path); the
worker later fans it out into `email` and `webhook` rows and delivers those with retries,
one `DeliveryAttempt` row per try. A change that rolls back leaves no row, so nothing is
ever sent for it (DESIGN §2.2 #3). The design is written down in `notifications/worker.py`.
"""

import secrets
import uuid
from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tentative.accounts.models import DEFAULT_REMINDERS, Organisation
from tentative.bookings import labels


class OutboxMessage(models.Model):
    class Kind(models.TextChoices):
        EVENT = "event"
        EMAIL = "email"
        WEBHOOK = "webhook"

    class Status(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        DEAD = "dead"  # gave up after the last retry; visible and re-sendable

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    booking = models.ForeignKey(
        "bookings.Booking", null=True, blank=True, on_delete=models.CASCADE, related_name="outbox"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    topic = models.CharField(max_length=64)  # e.g. "booking.approved"
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # Stable across retries, so a receiver can drop a duplicate delivery.
    message_id = models.UUIDField(default=uuid.uuid4, unique=True)
    # Tries in the current round (a re-send starts a new round); every try is a DeliveryAttempt.
    attempts = models.PositiveIntegerField(default=0)
    available_at = models.DateTimeField()  # not before this (backoff)
    leased_until = models.DateTimeField(null=True, blank=True)  # a worker holds it until then
    # Which claim holds the lease: a worker that overran its lease cannot mark another's row.
    lease_token = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Email and webhook rows: the event they were fanned out from, and the endpoint.
    event = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="fanned_out"
    )
    endpoint = models.ForeignKey(
        "WebhookEndpoint",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )

    class Meta:
        indexes = [
            # Two queues in one table: events waiting for the fan-out, and deliveries
            # waiting for a worker. Separate partial indexes, so that a backlog of 100,000
            # events after a sweep never slows a claim of emails, and the other way round.
            models.Index(
                fields=["available_at", "id"],
                condition=Q(status="pending", kind="event"),
                name="outbox_pending_events",
            ),
            models.Index(
                fields=["available_at", "id"],
                condition=Q(status="pending", kind__in=["email", "webhook"]),
                name="outbox_pending_deliveries",
            ),
            models.Index(fields=["organisation", "kind", "-created_at"], name="outbox_by_org"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.topic} ({self.status})"

    def get_status_display(self) -> str:
        """The status in the reader's language (the choices keep the codes: no migration)."""
        return labels.label(labels.DELIVERY, self.status)

    @property
    def recipients(self) -> str:
        return ", ".join(self.payload.get("to", []))


class DeliveryAttempt(models.Model):
    """One try at delivering an email or a webhook, successful or not."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="tries")
    number = models.PositiveIntegerField()  # 1 for the first try of its round
    worker = models.CharField(max_length=120)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    ok = models.BooleanField()
    status_code = models.IntegerField(null=True, blank=True)  # HTTP or SMTP reply code
    error = models.TextField(blank=True)
    response = models.TextField(blank=True)  # the start of a webhook receiver's answer

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["message", "started_at"])]

    def __str__(self) -> str:
        return f"{self.message_id} #{self.number} {'ok' if self.ok else 'failed'}"


class WebhookEndpoint(models.Model):
    """A URL of the organisation's that receives signed JSON for the topics it chose."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    secret = models.CharField(max_length=100, default=secrets.token_urlsafe)
    # The topics it receives; empty means every topic.
    topics = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.url

    def wants(self, topic: str) -> bool:
        return self.active and (not self.topics or topic in self.topics)


class EmailTemplate(models.Model):
    """An organisation's own subject and body for one email in one language.

    Without a row the file default is used (`notifications/email/<lang>/<name>.txt`).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="email_templates"
    )
    name = models.CharField(max_length=40)
    language = models.CharField(max_length=8)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name", "language"], name="one_template_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


def _default_schedule() -> list[int]:
    return [int(d.total_seconds()) for d in DEFAULT_REMINDERS]


class NotificationSettings(models.Model):
    """Per organisation: the reminder schedule, the staff warning, extra staff addresses."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="notification_settings"
    )
    # Seconds before the shown deadline (default 7 days, 2 days, 6 hours).
    reminder_schedule = models.JSONField(default=_default_schedule)
    staff_warning = models.DurationField(
        default=timedelta(hours=24),
        help_text=_("Tell staff this long before an option's deadline."),
    )
    staff_addresses = models.TextField(
        blank=True, help_text=_("Extra addresses for staff emails, one per line.")
    )

    def __str__(self) -> str:
        return f"notification settings of {self.organisation_id}"

    @property
    def schedule(self) -> tuple[timedelta, ...]:
        return tuple(timedelta(seconds=s) for s in self.reminder_schedule)


class NotificationLog(models.Model):
    """Things the sweeps must do once per booking and deadline: reminders, overdue flags.

    The unique constraint makes "once" hold even if two sweeps race.
    """

    class Kind(models.TextChoices):
        REMINDER = "reminder"
        OVERDUE = "overdue"  # flexible policy: flagged, kept, staff told
        EXPIRING = "expiring"  # staff warned before the deadline

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.CASCADE, related_name="notification_log"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    deadline = models.DateTimeField()  # the shown deadline it was about
    offset = models.PositiveIntegerField(default=0)  # reminders: seconds before the deadline
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "kind", "deadline", "offset"], name="notify_once"
            )
        ]
        indexes = [models.Index(fields=["organisation", "kind", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.deadline:%Y-%m-%d %H:%M} -{self.offset}s"


class ScheduleRun(models.Model):
    """When a periodic job runs next; a worker claims a run with a conditional UPDATE."""

    name = models.CharField(max_length=40, unique=True)
    next_run_at = models.DateTimeField()
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_result = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class CaughtMail(models.Model):
    """Mail kept by the demo's catch-all backend instead of being sent (no SMTP configured)."""

    message_id = models.CharField(max_length=200, db_index=True)
    to = models.TextField()
    subject = models.CharField(max_length=500)
    raw = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.subject
