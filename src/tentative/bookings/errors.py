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


class NotARoomSession(InvalidInput):
    code, message = (
        "not_a_room_session",
        _("Only the players of a room session are changed this way."),
    )


class UnknownCategory(InvalidInput):
    code, message = "unknown_category", _("This price category is not one of the game's.")
