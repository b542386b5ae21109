"""Payments and refunds of a booking, as records with states of their own (issue 10).

The booking's payment status and balance are computed from these rows (`selectors.balance`),
never stored on the booking: balance = total due − captured + refunded. Each payment keeps
what it captured and what was refunded from it, changed only under the payment's row lock,
and the database refuses a payment that refunded more than it captured.

`ProviderEvent` remembers every provider notification applied, so a replay changes nothing.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tentative.core.payments import PaymentState, RefundState


def new_reference() -> str:
    return "pay_" + secrets.token_urlsafe(18)


class Payment(models.Model):
    class Method(models.TextChoices):
        CARD = "card", _("Card (online)")
        CASH = "cash", _("Cash")
        TERMINAL = "terminal", _("Card terminal")
        TRANSFER = "transfer", _("Bank transfer")

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="payments"
    )
    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.PROTECT, related_name="payments"
    )
    provider = models.CharField(max_length=32)  # "simulated", "offline", later "stripe"
    method = models.CharField(max_length=16, choices=Method.choices, default=Method.CARD)
    state = models.CharField(
        max_length=16, choices=[(s.value, s.value) for s in PaymentState], default="created"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=3)  # asked for
    captured = models.DecimalField(max_digits=12, decimal_places=3, default=0)
    refunded = models.DecimalField(max_digits=12, decimal_places=3, default=0)
    currency = models.CharField(max_length=3)
    # Ours, unguessable: what the provider echoes back and what a payment page is found by.
    reference = models.CharField(max_length=64, unique=True, default=new_reference)
    provider_reference = models.CharField(max_length=128, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["booking", "state"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(captured__gte=0) & Q(refunded__gte=0), name="payment_sums_positive"
            ),
            # DESIGN §2.2 #4: refunds never exceed what was captured.
            models.CheckConstraint(
                condition=Q(refunded__lte=F("captured")), name="refunds_within_captured"
            ),
            models.CheckConstraint(
                condition=Q(captured__lte=F("amount")), name="capture_within_amount"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} {self.currency} ({self.state})"


class Refund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    state = models.CharField(
        max_length=16, choices=[(s.value, s.value) for s in RefundState], default="created"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=3)
    reason = models.TextField(blank=True)
    provider_reference = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")
        ]

    def __str__(self) -> str:
        return f"refund {self.amount} of {self.payment_id} ({self.state})"


class ProviderEvent(models.Model):
    """A provider notification already applied: the same one again changes nothing."""

    provider = models.CharField(max_length=32)
    event_id = models.CharField(max_length=128)
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="one_event_per_id")
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id}"
