"""Typed domain errors: a machine code, an HTTP status, and a message in the user's language.

Mapped to HTTP once (the API's exception handler) and to a page message once (back office).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from tentative.bookings import labels


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


class IllegalTransition(DomainError):
    code, status = "illegal_transition", 409
    message = _("A booking in state “%(state)s” cannot be %(action)s.")

    @property
    def text(self) -> str:
        """State and action come as codes; they are worded in the reader's language here."""
        state, action = self.params.get("state", ""), self.params.get("action", "")
        return str(self.message) % {
            "state": labels.label(labels.STATES, state),
            "action": labels.label(labels.DONE, action),
        }


class ReasonRequired(DomainError):
    code, status, message = "reason_required", 422, _("Please give a reason.")


class SoldOut(DomainError):
    code, status = "sold_out", 409
    message = _("Not enough places left: %(free)s available.")


class SlotTaken(DomainError):
    code, status = "slot_taken", 409
    message = _("This time is no longer free: another booking holds it. Please choose another.")


class CapacityBusy(DomainError):
    code, status = "capacity_busy", 409
    message = _("Too many bookings at once for this date; please try again.")


class DeadlineUnreachable(DomainError):
    code, status = "deadline_unreachable", 422
    message = _(
        "This cannot be reserved any more: reservations must be confirmed by %(deadline)s, "
        "which has already passed. Buy it instead."
    )


class Lapsed(DomainError):
    code, status = "lapsed", 409
    message = _(
        "The deadline of this booking passed on %(deadline)s, so it can no longer be "
        "continued. Staff may reinstate it if places remain."
    )


class NotReservable(DomainError):
    code, status, message = "not_reservable", 422, _("“%(name)s” can only be bought, not reserved.")


class IdempotencyMismatch(DomainError):
    code, status = "idempotency_key_reused", 422
    message = _("This Idempotency-Key was already used with a different request.")
