"""A customer's refusals: each names the field it is about, so a form shows it there."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from tentative.shared.errors import InvalidInput


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
