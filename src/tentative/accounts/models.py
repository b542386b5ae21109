"""Organisations, their staff and their customers.

Every other table hangs off an organisation; staff see only theirs.
"""

import hashlib
import secrets
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tentative.core.deadlines import AtLimit, Policy
from tentative.core.permissions import Role
from tentative.core.sales import CHANNELS


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(zone)s"), params={"zone": value})


def default_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    currency = models.CharField(max_length=3, default="EUR")
    default_language = models.CharField(max_length=8, default="en", choices=settings.LANGUAGES)
    # Strict: overdue options are released at their deadline. Flexible: they stay, flagged,
    # until staff act or the grace period ends.
    deadline_policy = models.CharField(
        max_length=16, choices=[(p.value, p.value) for p in Policy], default=Policy.STRICT
    )
    deadline_grace = models.DurationField(null=True, blank=True)
    deadline_at_limit = models.CharField(
        max_length=16, choices=[(a.value, a.value) for a in AtLimit], default=AtLimit.RELEASE
    )
    quote_validity_days = models.PositiveSmallIntegerField(default=30)
    # The languages the public pages offer (codes of settings.LANGUAGES); the default
    # language is always among them.
    languages = models.JSONField(default=default_languages, blank=True)
    # Customers' side (issue 12): how long places chosen on a public page are held while the
    # visitor fills the form, and the caps that stop one visitor hoarding places.
    checkout_hold_minutes = models.PositiveSmallIntegerField(default=15)
    public_max_places_per_order = models.PositiveSmallIntegerField(default=10)
    public_max_open_per_customer = models.PositiveSmallIntegerField(default=5)
    # Personal data of bookings whose date passed more than this many days ago is purged by
    # the worker; None keeps it.
    retention_days = models.PositiveIntegerField(null=True, blank=True)
    # Set by the actions that create an audience or a sales profile: until then the booking
    # hot path skips reading them (the ticket types' terms decide, catalog `sale_modes`).
    sale_rules_in_use = models.BooleanField(default=False)
    # The organiser's own sites allowed to show the booking widget in a frame (origins such
    # as "https://theatre.example"); every other page of the app refuses to be framed.
    widget_sites = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class StaffMembership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=[(r.value, r.value) for r in Role])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_role_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) at {self.organisation}"


class ApiToken(models.Model):
    """A staff member's API token; only its SHA-256 is stored, the secret is shown once."""

    membership = models.ForeignKey(StaffMembership, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def issue(cls, membership: StaffMembership, name: str) -> tuple["ApiToken", str]:
        secret = "tnt_" + secrets.token_urlsafe(32)
        return cls.objects.create(membership=membership, name=name, digest=cls.hash(secret)), secret


def every_channel() -> list[str]:
    return list(CHANNELS)


class Audience(models.Model):
    """A kind of customer (seed 001): the public, schools, companies… A customer without an
    audience belongs to the public one. Per channel, an audience may reserve (book now, pay
    later) or only buy: `reserve_channels` lists the channels where it may reserve."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="audiences"
    )
    name = models.CharField(max_length=100)
    # The organisation's default audience: customers without one, and anonymous visitors.
    is_public = models.BooleanField(default=False)
    reserve_channels = models.JSONField(default=every_channel, blank=True)

    class Meta:
        ordering = ["-is_public", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(is_public=True),
                name="one_public_audience",
            ),
            models.UniqueConstraint(fields=["organisation", "name"], name="audience_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def may_reserve_on(self, channel: str) -> bool:
        return channel in self.reserve_channels


class Customer(models.Model):
    """A person or a company; a company has several contacts."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        COMPANY = "company", _("Company")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="customers"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    language = models.CharField(max_length=8, blank=True, choices=settings.LANGUAGES)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # None: the public (seed 001, what this customer may reserve on each channel).
    audience = models.ForeignKey(
        Audience, null=True, blank=True, on_delete=models.SET_NULL, related_name="customers"
    )
    # Personal data erased (issue 12): name, email, phone and contacts replaced, kept only
    # as the anonymous owner of its bookings and payments (accounts/actions/anonymise_customer).
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "email"])]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    role = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return self.name


DEFAULT_REMINDERS = (timedelta(days=7), timedelta(days=2), timedelta(hours=6))


class LoginFailure(models.Model):
    """A failed sign-in, kept for the limiter's window (`access.login_refusal`): one row per
    failure, keyed by a hash of the username and the client's address, so several app
    servers share the count and no password or raw address is stored."""

    key = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["key", "at"], name="login_failures_by_key")]

    def __str__(self) -> str:
        return f"{self.key[:8]} at {self.at:%Y-%m-%d %H:%M}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A staff member's private iCalendar subscription (issue 13 item 5): the secret in the
    URL is the only key, so resetting it (a new token) makes the old URL stop working.

    The token is kept as it is, not hashed like an API token: it can only read one staff
    member's diary, and staff copy the address again from their page whenever they add a
    calendar app (Google and Outlook show a private address the same way)."""

    membership = models.OneToOneField(
        StaffMembership, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"calendar feed of {self.membership}"


class ErasureRequest(models.Model):
    """A customer asked, from their personal space, for their personal data to be erased.
    Staff see it on the customer's page; it is done when the customer is anonymised."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="erasure_requests"
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="erasure_requests"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    note = models.TextField(blank=True)  # the customer's words, erased with the rest
    requested_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "status"], name="erasure_requests_by_status")
        ]

    def __str__(self) -> str:
        return f"erasure of {self.customer_id} ({self.status})"
