"""A booking's own refusals; the base class and the generic ones are in `shared/errors.py`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tentative.bookings import labels
from tentative.shared.errors import DomainError


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


class SoldOut(DomainError):
    code, status = "sold_out", 409
    message = _("Not enough places left: %(free)s available.")


class SlotTaken(DomainError):
    code, status = "slot_taken", 409
    message = _("This time is no longer free: another booking holds it. Please choose another.")


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


class ChargedAfterApproval(DomainError):
    code, status = "charged_after_approval", 422
    message = _(
        "“%(name)s” is paid after approval: approving makes the booking an option awaiting "
        "payment, confirmed once it is paid."
    )


# The public checkout (actions/hold.py, checkout.py, extend_hold.py).
class TooManyPlaces(DomainError):
    code, status = "too_many_places", 422
    message = _("You can book at most %(max)s places in one order.")


class TooManyHolds(DomainError):
    code, status = "too_many_holds", 429
    message = _(
        "Too many attempts from your connection in a short time. Please wait a minute and "
        "try again."
    )


class TooManyOpen(DomainError):
    code, status = "too_many_open", 422
    message = _(
        "You already have %(count)s reservations or requests waiting with us, the most we "
        "accept at once. Pay, cancel or wait for an answer on one of them first."
    )


class HoldGone(DomainError):
    code, status = "hold_gone", 410
    message = _(
        "The time to complete this booking ran out and the places were released. Please "
        "choose your places again."
    )


class HoldUnknown(DomainError):
    code, status = "hold_unknown", 404
    message = _("This booking link is not valid. Please choose your places again.")


class NoMoreTime(DomainError):
    code, status = "no_more_time", 409
    message = _("You have already been given more time twice. Please complete the form now.")
