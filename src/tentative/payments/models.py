"""Payments and refunds of a booking, as records with states of their own (issue 10).

The booking's payment status and balance are computed from these rows (`selectors.balance`),
never stored on the booking: balance = total due − captured + refunded. Each payment keeps
what it captured and what was refunded from it, changed only under the payment's row lock,
and the database refuses a payment that refunded more than it captured.

`ProviderEvent` remembers every provider notification applied, so a replay changes nothing.
A `PaymentRequest` is a link staff send to be paid through; `SimulatedCharge` and
`SimulatedDelivery` are the simulated card processor's own records (its side, not ours).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tentative.core.payments import PaymentState, RefundState


def new_reference() -> str:
    return "pay_" + secrets.token_urlsafe(18)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Payment(models.Model):
    class Method(models.TextChoices):
        CARD = "card", _("Card (online)")
        CASH = "cash", _("Cash")
        TERMINAL = "terminal", _("Card terminal")
        TRANSFER = "transfer", _("Bank transfer")
        VOUCHER = "voucher", _("Coupon or gift voucher")

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
    # Authorise now, capture later (charge after approval); the processor lets an
    # authorisation lapse at `authorised_until`, without a notification to count on.
    capture_later = models.BooleanField(default=False)
    authorised_until = models.DateTimeField(null=True, blank=True)
    request = models.ForeignKey(
        "PaymentRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
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


# Coupons and gift vouchers (issue 10 item 5). A code is typed by people: 16 characters in
# groups of four, from an alphabet without look-alikes (no 0/O, 1/I/L), so 32**16 = 2**80
# codes: unguessable, yet easy to read over the phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_GROUPS, CODE_GROUP = 4, 4


def new_code() -> str:
    letters = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP))
    return "-".join(letters[i : i + CODE_GROUP] for i in range(0, len(letters), CODE_GROUP))


def normalise_code(typed: str) -> str:
    """What people type (lower case, spaces, no dashes) as the stored code."""
    letters = "".join(c for c in typed.upper() if c.isalnum())
    return "-".join(letters[i : i + CODE_GROUP] for i in range(0, len(letters), CODE_GROUP))


class Voucher(models.Model):
    """A coupon (issued by staff, or money owed to a customer kept as credit) or a gift
    voucher (sold). Its balance is the sum of its ledger (`VoucherEntry`), never stored:
    a redemption locks this row, then sums the ledger under the lock."""

    class Kind(models.TextChoices):
        COUPON = "coupon", _("Coupon")
        GIFT = "gift", _("Gift voucher")

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="vouchers"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    code = models.CharField(max_length=19, default=new_code)
    currency = models.CharField(max_length=3)
    # None: valid until used up.
    expires_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The booking whose overpayment or cancellation it came from.
    booking = models.ForeignKey(
        "bookings.Booking",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vouchers",
    )
    # How a gift voucher sold at the desk was paid (cash, terminal, transfer); blank for a coupon.
    method = models.CharField(max_length=16, blank=True)
    email = models.EmailField(blank=True)  # where "Send" sends it, else the booking's customer
    note = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="one_code_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.kind})"


class VoucherEntry(models.Model):
    """One movement of a voucher's balance: + issued or re-credited, − redeemed."""

    class Kind(models.TextChoices):
        ISSUE = "issue", _("Issued")
        REDEEM = "redeem", _("Redeemed")
        RECREDIT = "recredit", _("Re-credited")

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=3)  # signed
    # A redemption's payment, a re-credit's refunded voucher payment.
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="voucher_entries"
    )
    # The refund whose money went to this coupon, or the refund that re-credited it.
    refund = models.ForeignKey(
        Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="voucher_entries"
    )
    at = models.DateTimeField()
    actor_label = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["voucher", "at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="voucher_entry_not_zero"),
            models.CheckConstraint(
                condition=Q(kind="redeem", amount__lt=0) | (~Q(kind="redeem") & Q(amount__gt=0)),
                name="voucher_entry_sign",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} on {self.voucher_id}"


class PaymentRequest(models.Model):
    """A link to pay part or all of a booking, valid until `expires_at`.

    Its state is stored for what people do (open, paid, cancelled); "expired" is read from
    `expires_at` (`is_expired`), so no sweep is needed and an expired link is refused the
    moment it lapses. Each visit of its page opens a fresh `Payment` (a hosted session lives
    at most 24 hours); the first one captured makes the request paid.
    """

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("payment request", "Open")
        PAID = "paid", pgettext_lazy("payment request", "Paid")
        CANCELLED = "cancelled", pgettext_lazy("payment request", "Withdrawn")

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="payment_requests"
    )
    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.PROTECT, related_name="payment_requests"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=3)
    currency = models.CharField(max_length=3)
    token = models.CharField(max_length=64, unique=True, default=new_token)
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    expires_at = models.DateTimeField()
    created_by = models.CharField(max_length=200, blank=True)  # the actor's label
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_count = models.PositiveIntegerField(default=0)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["booking", "state", "expires_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="request_amount_positive")
        ]

    def __str__(self) -> str:
        return f"request {self.amount} {self.currency} ({self.state})"

    def is_expired(self, now: datetime) -> bool:
        return self.state == self.State.OPEN and self.expires_at <= now

    def shown_state(self, now: datetime) -> str:
        """open, paid, cancelled, or expired (an open one past its expiry)."""
        return "expired" if self.is_expired(now) else self.state


class SimulatedCharge(models.Model):
    """What the simulated card processor knows of one payment: its own state, what it
    captured, when an authorisation lapses. The return page asks it, like Stripe's
    "retrieve session"; its notifications are `SimulatedDelivery` rows."""

    payment = models.OneToOneField(Payment, on_delete=models.CASCADE, related_name="simulated")
    state = models.CharField(
        max_length=16, choices=[(s.value, s.value) for s in PaymentState], default="created"
    )
    captured = models.DecimalField(max_digits=12, decimal_places=3, default=0)
    authorised_until = models.DateTimeField(null=True, blank=True)
    # How its notifications travel, as the tester chose: {"late": minutes, "twice": bool,
    # "out_of_order": bool}; kept for a pending payment's later decision.
    delivery = models.JSONField(default=dict)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"simulated {self.payment_id} ({self.state})"


class SimulatedDelivery(models.Model):
    """A notification the simulated processor will post, signed when it is delivered."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=128)
    state = models.CharField(max_length=16)
    body = models.TextField()
    due_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=32, blank=True)  # applied, duplicate, stale, refused
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["delivered_at", "due_at"])]

    def __str__(self) -> str:
        return f"{self.event_id} due {self.due_at:%Y-%m-%d %H:%M}"


class AfterApproval(models.Model):
    """One thing the charge-after-approval job did (issue 10 item 4, `actions/
    collect_after_approval.py`): capture or void one authorisation, or send one booking its
    payment request. The row is claimed before acting, and unique per payment and step
    (and per booking for a capture or a request), so two workers or two passes never act
    twice. While a provider call is in flight the claim is a lease (`claimed_until`): a
    worker that died mid-call leaves it to be taken again once the lease ends."""

    class Step(models.TextChoices):
        CAPTURE = "capture"
        VOID = "void"
        REQUEST = "request"

    booking = models.ForeignKey("bookings.Booking", on_delete=models.CASCADE, related_name="+")
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    step = models.CharField(max_length=16, choices=Step.choices)
    # captured, voided, lapsed, requested, nothing (the processor had nothing to do), or
    # refused:<code>
    outcome = models.CharField(max_length=48, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "step"],
                condition=Q(payment__isnull=False),
                name="after_approval_once_per_payment",
            ),
            # One authorisation captured per booking, one payment request sent per booking.
            models.UniqueConstraint(
                fields=["booking", "step"],
                condition=Q(step__in=["capture", "request"]),
                name="after_approval_once_per_booking",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step} {self.booking_id} ({self.outcome or 'claimed'})"
