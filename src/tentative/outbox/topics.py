"""Every event topic, named once.

Topics are codes that programs read (webhook receivers subscribe to them, the fan-out picks
emails by them), so they never change once published. Actions emit them, the fan-out and
the staff pages read them, and the sweep's SQL writes one: all from here.
"""

from __future__ import annotations

from tentative.core.states import Action

BOOKING_CREATED = "booking.created"
BOOKING_CONVERTED = "booking.converted"
BOOKING_APPROVED = "booking.approved"
BOOKING_DECLINED = "booking.declined"
BOOKING_CONFIRMED = "booking.confirmed"
BOOKING_EXTENDED = "booking.extended"
BOOKING_EXPIRED = "booking.expired"
BOOKING_CANCELLED = "booking.cancelled"
BOOKING_REINSTATED = "booking.reinstated"
BOOKING_MOVED = "booking.moved"  # another date, time, staff member or room
BOOKING_QUANTITY_CHANGED = "booking.quantity_changed"  # more or fewer places or players
BOOKING_RESCHEDULED = "booking.rescheduled"
BOOKING_REMINDER = "booking.reminder"  # the customer's reminder before a deadline
BOOKING_EXPIRING = "booking.expiring"  # staff warned before an option's deadline
BOOKING_OVERDUE = "booking.overdue"  # flexible policy: past its deadline, kept
PAYMENT_REQUESTED = "payment.requested"
PAYMENT_STARTED = "payment.started"  # a payment page opened with a provider
PAYMENT_PENDING = "payment.pending"
PAYMENT_AUTHORISED = "payment.authorised"
PAYMENT_CAPTURED = "payment.captured"
PAYMENT_FAILED = "payment.failed"
PAYMENT_CANCELLED = "payment.cancelled"
PAYMENT_EXPIRED = "payment.expired"
REFUND_DONE = "refund.done"
VOUCHER_ISSUED = "voucher.issued"  # a coupon or gift voucher, with its first balance
VOUCHER_REDEEMED = "voucher.redeemed"  # used as a payment on a booking
VOUCHER_RECREDITED = "voucher.recredited"  # a voucher payment refunded back onto it
VOUCHER_SENT = "voucher.sent"  # emailed to its holder (the "coupon" email)
# The event a payment's new state emits.
PAYMENT_BY_STATE = {
    "pending": PAYMENT_PENDING,
    "authorised": PAYMENT_AUTHORISED,
    "captured": PAYMENT_CAPTURED,
    "failed": PAYMENT_FAILED,
    "cancelled": PAYMENT_CANCELLED,
    "expired": PAYMENT_EXPIRED,
}
TICKET_CHECKED_IN = "ticket.checked_in"  # a place let in at the door (its ticket code)
RESERVE_RELEASED = "reserve.released"
WAITLIST_JOINED = "waitlist.joined"  # a visitor queued: the "you are number N" email
WAITLIST_OFFERED = "waitlist.offered"  # an offer (an option) made to an entry, with its link
RESERVE_RELEASE_SOON = "reserve.release_soon"
# A customer asked for a sign-in link to their personal space (the payload holds the link):
# emailed to that customer only, never posted to a webhook (PRIVATE).
CUSTOMER_SIGN_IN_LINK = "customer.sign_in_link"
# Topics whose payload is a secret for one person: no webhook endpoint receives them, even
# one that subscribed to every topic.
PRIVATE = frozenset({CUSTOMER_SIGN_IN_LINK})

# The event a booking's move emits, by the action that made it.
AFTER: dict[Action, str] = {
    Action.CONVERT: BOOKING_CONVERTED,
    Action.APPROVE: BOOKING_APPROVED,
    Action.DECLINE: BOOKING_DECLINED,
    Action.CONFIRM: BOOKING_CONFIRMED,
    Action.EXTEND: BOOKING_EXTENDED,
    Action.EXPIRE: BOOKING_EXPIRED,
    Action.CANCEL: BOOKING_CANCELLED,
    Action.REINSTATE: BOOKING_REINSTATED,
    Action.MOVE: BOOKING_MOVED,
    Action.CHANGE_QUANTITY: BOOKING_QUANTITY_CHANGED,
}

# What a webhook endpoint may subscribe to (the staff pages offer these).
FOR_WEBHOOKS = [
    BOOKING_CREATED,
    BOOKING_CONVERTED,
    BOOKING_APPROVED,
    BOOKING_DECLINED,
    BOOKING_CONFIRMED,
    BOOKING_EXTENDED,
    BOOKING_EXPIRED,
    BOOKING_CANCELLED,
    BOOKING_REINSTATED,
    BOOKING_MOVED,
    BOOKING_QUANTITY_CHANGED,
    BOOKING_REMINDER,
    BOOKING_EXPIRING,
    BOOKING_OVERDUE,
    PAYMENT_REQUESTED,
    PAYMENT_STARTED,
    *PAYMENT_BY_STATE.values(),
    REFUND_DONE,
    VOUCHER_ISSUED,
    VOUCHER_REDEEMED,
    VOUCHER_RECREDITED,
    VOUCHER_SENT,
    TICKET_CHECKED_IN,
    WAITLIST_OFFERED,
]
