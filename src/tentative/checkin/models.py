"""Who came in: one check-in per place of a ticket line, and every scan that asked.

A place is a booking line and a number (the ticket code `<reference>-<line>-<n>` of
`notifications/tickets.py`). The database keeps one `CheckIn` per place
(`one_check_in_per_place`), so two doors scanning one ticket at once cannot both let it
in. A `Scan` is one reading at a door: its nonce (chosen by the scanning device, or by the
check-in page's form) is unique in the organisation, so the same scan uploaded twice (a
device that lost the answer and retries) counts once and answers the first outcome again.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import pgettext_lazy


class Outcome(models.TextChoices):
    VALID = "valid", pgettext_lazy("check-in", "Valid")
    ALREADY_USED = "already_used", pgettext_lazy("check-in", "Already used")
    NOT_VALID = "not_valid", pgettext_lazy("check-in", "Not valid")
    NOT_PAID = "not_paid", pgettext_lazy("check-in", "Not paid")


class CheckIn(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.CASCADE, related_name="check_ins"
    )
    line = models.ForeignKey(
        "bookings.BookingLine", on_delete=models.CASCADE, related_name="check_ins"
    )
    number = models.PositiveIntegerField()  # the place on the line, 1 to its quantity
    at = models.DateTimeField()
    actor_label = models.CharField(max_length=200)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["line", "number"], name="one_check_in_per_place")
        ]

    def __str__(self) -> str:
        return f"{self.line_id}-{self.number} at {self.at:%Y-%m-%d %H:%M}"


class Scan(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    nonce = models.CharField(max_length=64)
    code = models.CharField(max_length=64)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    reason = models.CharField(max_length=16, blank=True)  # why not valid: labels.REASONS
    check_in = models.ForeignKey(
        CheckIn, null=True, blank=True, on_delete=models.CASCADE, related_name="scans"
    )
    at = models.DateTimeField()
    actor_label = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "nonce"], name="one_scan_per_nonce")
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.outcome}"
