"""Refusals about an organisation's settings, its staff and its customers (a customer's
refusal names the field it is about, so a form shows it there)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from tentative.shared.errors import DomainError, Forbidden, InvalidInput


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


class InvalidCustomer(InvalidInput):
    code = "customer_invalid"

    def __init__(self, message: Any = None, *, field: str = "", **params: Any) -> None:
        self.field = field
        super().__init__(message, **params)


NAME_REQUIRED = _("A name of 1 to 200 characters is required.")
EMAIL_INVALID = _("Enter a valid email address.")
PHONE_INVALID = _("A phone number has at most 40 digits, spaces and + ( ) - . characters.")
LANGUAGE_INVALID = _("Choose one of the organisation's languages.")
KIND_INVALID = _("A customer is a person or a company.")
PERSON_CONTACTS = _("Only a company has contacts.")
TOO_MANY_CONTACTS = _("A company has at most %(max)s contacts.")


class AudiencesManagersOnly(Forbidden):
    code = "audiences_managers_only"
    message = _("Only owners and managers may change audiences and what they may reserve.")


class InvalidAudience(InvalidInput):
    """A refusal about an audience's field (`field` names it, for the form)."""

    code = "invalid_audience"


class PublicAudienceStays(DomainError):
    code, status = "public_audience_stays", 409
    message = _("The public audience cannot be deleted: visitors and new customers belong to it.")


class TooManySignInLinks(DomainError):
    code, status = "too_many_sign_in_links", 429
    message = _(
        "Too many sign-in links were asked from here. Please wait a quarter of an hour, then "
        "ask again."
    )


class ErasureBlocked(DomainError):
    code, status = "erasure_blocked", 409
    message = _(
        "Personal data cannot be erased while bookings are still open or unpaid (%(references)s): "
        "they need a name and an address until they are settled."
    )
