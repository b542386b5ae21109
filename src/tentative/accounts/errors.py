"""Refusals about an organisation's settings and its staff."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tentative.shared.errors import DomainError, Forbidden


class SettingsOwnersOnly(Forbidden):
    code = "settings_owners_only"
    message = _("Only the account owner may change the organisation's settings.")


class StaffOwnersOnly(Forbidden):
    code = "staff_owners_only"
    message = _("Only the account owner may invite, change or remove staff.")


class CurrencyInUse(DomainError):
    code, status = "currency_in_use", 409
    message = _(
        "The currency cannot change once bookings exist: their prices and payments are in "
        "%(currency)s."
    )


class LastOwner(DomainError):
    code, status = "last_owner", 409
    message = _("The organisation needs at least one account owner.")


class AlreadyMember(DomainError):
    code, status = "already_member", 409
    message = _("%(email)s already has a staff account.")


class InvalidSettings(DomainError):
    code, status = "invalid_settings", 422
    message = _("Please correct the highlighted fields.")

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__()
        self.fields = fields
