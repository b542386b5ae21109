"""Typed domain errors: a machine code, an HTTP status, and a message in the user's language.

Mapped to HTTP once (the API's exception handler) and to a page message once (back office).
Here the base class and the errors any app may raise; an app's own errors (a booking's
`SoldOut`, a reserve's `ReserveArchived`) live in its `errors.py` and subclass `DomainError`.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "error"
    status = 400
    message: Any = _("The request could not be completed.")

    def __init__(self, message: Any = None, **params: Any) -> None:
        if message is not None:
            self.message = message
        self.params = params
        super().__init__(str(self.text))

    @property
    def text(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


class NotFound(DomainError):
    code, status, message = "not_found", 404, _("Not found.")


class Forbidden(DomainError):
    code, status, message = "forbidden", 403, _("You are not allowed to do this.")


class InvalidInput(DomainError):
    code, status, message = "invalid", 422, _("The input is not valid.")


class ReasonRequired(DomainError):
    code, status, message = "reason_required", 422, _("Please give a reason.")


class CapacityBusy(DomainError):
    code, status = "capacity_busy", 409
    message = _("Too many bookings at once for this date; please try again.")


class IdempotencyMismatch(DomainError):
    code, status = "idempotency_key_reused", 422
    message = _("This Idempotency-Key was already used with a different request.")
