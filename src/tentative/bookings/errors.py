"""A booking's own refusals; the base class and the generic ones are in `shared/errors.py`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tentative.bookings import labels
from tentative.shared.errors import DomainError, InvalidInput


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


class NotForSale(DomainError):
    code, status = "not_for_sale", 422
    message = _("“%(name)s” is not on sale here.")


class OnlyReservable(DomainError):
    code, status = "only_reservable", 422
    message = _("“%(name)s” can only be reserved here, not bought at once.")


class UnbookableTime(DomainError):
    """A start time that the service's rules or the staff member's hours do not offer
    (issue 13, "bad input"): the code says which rule (`core.availability.Refusal`)."""

    code, status = "unbookable_time", 422
    message = _("This time cannot be booked.")

    def __init__(self, reason: str, message: object, **params: object) -> None:
        super().__init__(message, **params)
        self.code = reason


# A local date and time given without an offset (the API's `local_start`), read in the
# organisation's zone: skipped by a daylight-saving change, or happening twice.
NONEXISTENT_LOCAL = _(
    "%(time)s does not exist on %(date)s in %(zone)s: the clocks go forward that night. "
    "Please choose another time."
)
AMBIGUOUS_LOCAL = _(
    "%(time)s happens twice on %(date)s in %(zone)s: the clocks go back that night. "
    "Give the time with its UTC offset."
)
NO_FREE_STAFF = _("Nobody is free at %(time)s on %(date)s for “%(service)s”.")


# Room sessions (seed 004): refusals a face shows next to the field they concern.
class PlayersOutOfRange(InvalidInput):
    code = "players_out_of_range"
    message = _("“%(service)s” takes between %(min)s and %(max)s players per session.")


class PlayersUnchanged(InvalidInput):
    code, message = "players_unchanged", _("The session already has these players.")


class PlayersNamed(InvalidInput):
    code = "players_named"
    message = _(
        "%(named)s players of “%(category)s” are named: remove names before lowering it to "
        "%(quantity)s."
    )


class NotASession(InvalidInput):
    code, message = "not_a_session", _("The room has no session at that time.")


class SellsPlaces(DomainError):
    """A room that sells places is booked by the place (its session is an event date, through
    `create_booking`), never whole (docs/rooms.md "Whole room, or places")."""

    code, status = "sells_places", 409
    message = _("This room sells places: book places on the session's date, not the room.")


class NotARoomSession(InvalidInput):
    code, message = (
        "not_a_room_session",
        _("Only the players of a room session are changed this way."),
    )


class UnknownCategory(InvalidInput):
    code, message = "unknown_category", _("This price category is not one of the game's.")


class NotAnImage(DomainError):
    code, status = "not_an_image", 422
    message = _("This file is not a JPEG, PNG or WebP image, or it is damaged.")


class PhotoTooLarge(DomainError):
    code, status = "photo_too_large", 413
    message = _("This photo is too large: at most %(limit)s MB.")


class PhotoNotArchived(DomainError):
    code, status = "photo_not_archived", 409
    message = _("This photo is not archived.")


class SessionStarted(InvalidInput):
    code, message = "session_started", _("This session has already started: choose a later one.")
