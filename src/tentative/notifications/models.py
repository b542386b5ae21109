"""What notifications are sent to and how: webhook endpoints, email templates, reminder
settings, and the once-only log of the sweeps. The outbox itself is `tentative.outbox`.
"""

import secrets
from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from tentative.accounts.models import DEFAULT_REMINDERS, Organisation


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
