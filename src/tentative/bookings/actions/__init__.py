"""One module per verb. Only these functions change a booking's state.

Every action: checks permission, locks, checks the state machine on the fresh row, changes
capacity and state, writes the audit entry and the outbox message, all in one transaction.
"""

from tentative.bookings.actions.add_session_photo import add_session_photos
from tentative.bookings.actions.approve import approve_booking
from tentative.bookings.actions.archive_photos import archive_old_photos
from tentative.bookings.actions.book_session import SESSION_MODES, book_session
from tentative.bookings.actions.book_session_online import book_session_online
from tentative.bookings.actions.cancel import cancel_booking
from tentative.bookings.actions.change_players import change_players
from tentative.bookings.actions.change_quantity import change_quantity
from tentative.bookings.actions.checkout import Contact, Submission, check_out
from tentative.bookings.actions.confirm import confirm_booking
from tentative.bookings.actions.convert import convert_booking
from tentative.bookings.actions.create import LineRequest, SlotRequest, create_booking
from tentative.bookings.actions.decide import Decided, Decision, Outcome, decide_requests
from tentative.bookings.actions.decline import decline_booking
from tentative.bookings.actions.expire import expire_booking, expire_lapsed
from tentative.bookings.actions.extend import extend_booking
from tentative.bookings.actions.extend_hold import MAX_EXTENSIONS, extend_hold
from tentative.bookings.actions.hold import hold_places
from tentative.bookings.actions.move import Destination, move_booking
from tentative.bookings.actions.name_players import name_players
from tentative.bookings.actions.reinstate import reinstate_booking
from tentative.bookings.actions.request_appointment import request_appointment
from tentative.bookings.actions.restore_session_photo import restore_session_photo
from tentative.bookings.offers import MAX_QUANTITY  # what the faces bound their input by

__all__ = [
    "MAX_EXTENSIONS",
    "MAX_QUANTITY",
    "SESSION_MODES",
    "Contact",
    "Decided",
    "Decision",
    "Destination",
    "LineRequest",
    "Outcome",
    "SlotRequest",
    "Submission",
    "add_session_photos",
    "approve_booking",
    "archive_old_photos",
    "book_session",
    "book_session_online",
    "cancel_booking",
    "change_players",
    "change_quantity",
    "check_out",
    "confirm_booking",
    "convert_booking",
    "create_booking",
    "decide_requests",
    "decline_booking",
    "expire_booking",
    "expire_lapsed",
    "extend_booking",
    "extend_hold",
    "hold_places",
    "move_booking",
    "name_players",
    "reinstate_booking",
    "request_appointment",
    "restore_session_photo",
]
