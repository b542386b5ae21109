"""The audit trail's one table.

The organisation and the booking are named by lazy references (`"accounts.Organisation"`,
`"bookings.Booking"`), so this app imports nothing from the apps whose changes it records;
`booking.audit` still lists a booking's entries. Entries about something else than a
booking (a reserve) have no booking and say what they are about in `data`.
"""

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tentative.shared.labels import label

# Words for the actions of entries that are not a booking's move (a booking's entry is
# shown with its states' words).
ACTIONS: dict[str, Promise] = {
    "reserve.create": _("Reserve created"),
    "reserve.rename": _("Renamed"),
    "reserve.configure": _("Settings changed"),
    "reserve.restrict": _("Restrictions changed"),
    "reserve.allocate": _("Places set aside"),
    "reserve.release": _("Places released to general sale"),
    "reserve.release_due": _("Scheduled release done"),
    "reserve.schedule": _("Release scheduled"),
    "reserve.archive": _("Archived"),
    "check_in": _("Ticket checked in"),
    "customer.create": _("Customer created"),
    "customer.update": _("Customer changed"),
    "waitlist.join": _("Joined the waiting list"),
    "waitlist.leave": _("Left the waiting list"),
    "waitlist.offer": _("Places offered from the waiting list"),
    "waitlist.accept": _("Waiting list offer accepted"),
    "waitlist.decline": _("Waiting list offer declined"),
    "waitlist.lapse": _("Waiting list offer lapsed"),
    "waitlist.remove": _("Removed from the waiting list"),
    "customer.erasure_request": _("Customer asked for their personal data to be erased"),
    "customer.anonymise": _("Customer's personal data erased (anonymised)"),
    "customer.password": _("Customer set a password for their personal space"),
    "customer.sign_in": _("Customer signed in to their personal space with an emailed link"),
}


class AuditEntry(models.Model):
    """Who changed what, when, from which state to which, and why."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    booking = models.ForeignKey(
        "bookings.Booking", null=True, blank=True, on_delete=models.CASCADE, related_name="audit"
    )
    at = models.DateTimeField()
    actor_kind = models.CharField(max_length=16)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=32)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        # Named as when the table was bookings' (a generated name would follow the table).
        indexes = [
            models.Index(fields=["organisation", "at"], name="bookings_au_organis_96bd5b_idx")
        ]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    @property
    def action_label(self) -> str:
        return label(ACTIONS, self.action)
