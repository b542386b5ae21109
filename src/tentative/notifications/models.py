"""The transactional outbox: what must leave the system, written with the change it reports.

An action writes one `event` row in its own transaction (one INSERT on the hot path); the
worker later fans it out into email and webhook rows and delivers those with retries. A
change that rolls back leaves no row, so nothing is ever sent for it (DESIGN §2.2 #3).
"""

import uuid

from django.db import models
from django.db.models import Q

from tentative.accounts.models import Organisation


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
    attempts = models.PositiveIntegerField(default=0)
    available_at = models.DateTimeField()  # not before this (backoff)
    leased_until = models.DateTimeField(null=True, blank=True)  # a worker holds it until then
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["available_at", "id"],
                condition=Q(status="pending"),
                name="outbox_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.topic} ({self.status})"
