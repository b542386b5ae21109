"""The transactional outbox, and the record of every try at delivering from it.

An action writes one `event` row in its own transaction (one INSERT on the hot path); the
worker later fans it out into `email` and `webhook` rows and delivers those with retries,
one `DeliveryAttempt` row per try. A change that rolls back leaves no row, so nothing is
ever sent for it (DESIGN §2.2 #3). The design is written down in `worker/loop.py`.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from tentative.shared.labels import label

# An email's or a webhook delivery's status (OutboxMessage.Status), as people read it.
DELIVERY: dict[str, Promise] = {
    "pending": pgettext_lazy("delivery status", "waiting"),
    "sent": pgettext_lazy("delivery status", "sent"),
    "dead": pgettext_lazy("delivery status", "given up"),
}


class OutboxMessage(models.Model):
    class Kind(models.TextChoices):
        EVENT = "event"
        EMAIL = "email"
        WEBHOOK = "webhook"

    class Status(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        DEAD = "dead"  # gave up after the last retry; visible and re-sendable

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
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
        "notifications.WebhookEndpoint",
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
        return label(DELIVERY, self.status)

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
        # Named as when the table was notifications' (a generated name follows the table).
        indexes = [
            models.Index(fields=["message", "started_at"], name="notificatio_message_c5176b_idx")
        ]

    def __str__(self) -> str:
        return f"{self.message_id} #{self.number} {'ok' if self.ok else 'failed'}"
