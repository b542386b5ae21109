"""What the payment request actions share: which bookings can be paid, a link's expiry, the
absolute link, and the event that emails it."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from tentative.bookings.models import Booking
from tentative.core.money import Money
from tentative.core.states import State
from tentative.outbox import events as outbox
from tentative.outbox import topics
from tentative.payments.errors import (
    ExpiryInvalid,
    NotPayable,
    RequestCancelled,
    RequestExpired,
    RequestPaid,
)
from tentative.payments.models import PaymentRequest
from tentative.shared.actor import Actor

# A link is asked for an option (to confirm it) or a firm booking (a balance after a
# quantity change). Paying one also works once the option has expired: the late payment
# path (`_confirm.settle`) reinstates it if its places are free, else refunds at once.
REQUESTABLE = frozenset({State.OPTION, State.CONFIRMED})
PAYABLE = REQUESTABLE | {State.EXPIRED}
DEFAULT_VALIDITY = timedelta(days=7)


def check_requestable(booking: Booking) -> None:
    if booking.state not in REQUESTABLE:
        raise NotPayable(state=booking.state)


def check_payable(request: PaymentRequest, booking: Booking, now: datetime) -> None:
    """A link can be paid while open and unexpired, for a booking that can still be paid."""
    if request.state == PaymentRequest.State.PAID:
        raise RequestPaid()
    if request.state == PaymentRequest.State.CANCELLED:
        raise RequestCancelled()
    if request.is_expired(now):
        raise RequestExpired()
    if booking.state not in PAYABLE:
        raise NotPayable(state=booking.state)


def expiry(booking: Booking, wanted: datetime | None, now: datetime) -> datetime:
    """When a new link expires.

    By default, an option's link lasts until the deadline the customer reads (else its
    enforced limit) while that is still ahead, and any other link 7 days. A chosen expiry
    must be in the future, and an option's link may not outlive its enforced limit: past it
    the option is gone, so extend the option first. An option whose limit has already
    passed (the sweep has not run yet) gets 7 days: paying it is a late payment.
    """
    limit = booking.deadline_enforced if booking.state == State.OPTION else None
    if limit is not None and limit <= now:
        limit = None
    if wanted is None:
        ahead = [d for d in (booking.deadline_shown, limit) if d is not None and d > now]
        return min(ahead) if ahead else now + DEFAULT_VALIDITY
    if wanted <= now or (limit is not None and wanted > limit):
        raise ExpiryInvalid()
    return wanted


def url(request: PaymentRequest) -> str:
    return f"{settings.PUBLIC_URL}/pay/{request.token}/"


def send(request: PaymentRequest, booking: Booking, *, actor: Actor, now: datetime) -> None:
    """Email the link to the customer, through the outbox (`payment_request` email)."""
    request.sent_at, request.sent_count = now, request.sent_count + 1
    request.save(update_fields=["sent_at", "sent_count"])
    data = {
        "request": request.id,
        "amount": str(Money(request.amount, request.currency).amount),
        "currency": request.currency,
        "url": url(request),
        "expires_at": request.expires_at.isoformat(),
    }
    outbox.emit(booking, topics.PAYMENT_REQUESTED, actor=actor, at=now, data=data)
