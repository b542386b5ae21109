"""A booking's money, read from its payments: what is due, captured, refunded, and owed."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    F,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from tentative.bookings.models import Booking
from tentative.core import approval
from tentative.core.money import Balance, Money
from tentative.core.payments import PaymentState
from tentative.core.states import State
from tentative.payments.models import (
    Payment,
    PaymentRequest,
    Refund,
    SimulatedCharge,
    Voucher,
    VoucherEntry,
)
from tentative.payments.providers import PROVIDERS

# A cancelled or declined booking owes nothing: whatever it captured is money to give back
# (its balance reads "overpaid"). An expired option still owes its total: paying it late
# brings it back when its places are free (`actions/_confirm.py`).
OWES_NOTHING = frozenset({State.CANCELLED, State.DECLINED})


def owes(booking: Booking) -> bool:
    return booking.state not in OWES_NOTHING


def due(booking: Booking) -> Decimal:
    return booking.total if owes(booking) else Decimal(0)


def balance(booking: Booking) -> Balance:
    """DESIGN §2.1: balance = total due − captured + refunded, in the booking's currency."""
    sums = booking.payments.aggregate(captured=Sum("captured"), refunded=Sum("refunded"))
    currency = booking.currency

    def money(value: Decimal | None) -> Money:
        return Money(value or Decimal(0), currency)

    return Balance(
        due=money(due(booking)), captured=money(sums["captured"]), refunded=money(sums["refunded"])
    )


def refunds_online(payment: Payment) -> bool:
    """Whether money refunded from `payment` goes back through its provider; if not, staff
    pay it back themselves (cash, a card terminal, a transfer)."""
    return PROVIDERS[payment.provider].capabilities.refunds_online


def with_money(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    """The bookings, each annotated with what its payments captured (`paid_in`) and
    refunded (`paid_back`), in the same query, for lists (`balance_of_row` reads them)."""
    sums = Payment.objects.filter(booking_id=OuterRef("id")).values("booking_id")
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=12, decimal_places=3))

    def total(field: str) -> Coalesce:
        return Coalesce(Subquery(sums.annotate(s=Sum(field)).values("s")), zero)

    return bookings.annotate(paid_in=total("captured"), paid_back=total("refunded"))


def balance_of_row(booking: Booking) -> Balance:
    """`balance` for a booking read through `with_money`, without another query."""

    def money(value: Decimal) -> Money:
        return Money(value, booking.currency)

    return Balance(
        due=money(due(booking)),
        captured=money(booking.paid_in),  # type: ignore[attr-defined]
        refunded=money(booking.paid_back),  # type: ignore[attr-defined]
    )


def voucher_balance(voucher: Voucher) -> Money:
    """The sum of the voucher's ledger: pretix's gift cards, never a stored figure. Read
    under the voucher's row lock wherever it decides a redemption."""
    total = voucher.entries.aggregate(s=Sum("amount"))["s"]
    return Money(total or Decimal(0), voucher.currency)


def vouchers_with_balance(vouchers: QuerySet[Voucher]) -> QuerySet[Voucher]:
    """Each voucher annotated with its `left` (the ledger's sum), in the list's one query."""
    sums = VoucherEntry.objects.filter(voucher_id=OuterRef("id")).values("voucher_id")
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=12, decimal_places=3))
    return vouchers.annotate(
        left=Coalesce(Subquery(sums.annotate(s=Sum("amount")).values("s")), zero)
    )


def voucher_payment_entry(payment: Payment) -> VoucherEntry | None:
    """The redemption a voucher payment came from (its voucher is where refunds go)."""
    return (
        payment.voucher_entries.filter(kind=VoucherEntry.Kind.REDEEM)
        .select_related("voucher")
        .first()
    )


def paid_by_kind(booking: Booking) -> tuple[Decimal, Decimal]:
    """What the booking's payments hold now (captured − refunded): (money, vouchers). Money
    can be refunded or kept as a coupon; a voucher's share only goes back onto it."""
    sums = dict(
        booking.payments.filter(captured__gt=F("refunded"))
        .annotate(
            by_voucher=Case(
                When(provider="voucher", then=True), default=False, output_field=BooleanField()
            )
        )
        .values("by_voucher")
        .annotate(s=Sum(F("captured") - F("refunded")))
        .values_list("by_voucher", "s")
    )
    return sums.get(False) or Decimal(0), sums.get(True) or Decimal(0)


def decide_by(booking: Booking) -> datetime | None:
    """A pending request only: when staff must decide on it (core.approval.decide_by): the
    earlier of its own deadline and the end of the card authorisation taken with it."""
    if booking.state != State.REQUEST:
        return None
    return approval.decide_by(booking.deadline_enforced, _authorised_until(booking))


def _authorised_until(booking: Booking) -> datetime | None:
    if hasattr(booking, "authorised_until"):  # read by `with_decide_by`
        return booking.authorised_until  # type: ignore[no-any-return]
    return (
        _authorisations()
        .filter(booking_id=booking.id)
        .aggregate(until=Min("authorised_until"))["until"]
    )


def _authorisations() -> QuerySet[Payment]:
    """Authorisations taken at request time and not captured, voided or lapsed yet."""
    return Payment.objects.filter(
        capture_later=True, state=PaymentState.AUTHORISED.value, authorised_until__isnull=False
    )


def with_decide_by(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    """The bookings, each with what `decide_by` reads, in the same query (for lists)."""
    ends = (
        _authorisations()
        .filter(booking_id=OuterRef("id"))
        .order_by("authorised_until")
        .values("authorised_until")[:1]
    )
    return bookings.annotate(authorised_until=Subquery(ends))


def simulated_state(payment: Payment) -> str:
    """What the simulated processor knows of `payment` ("created" before any decision)."""
    charge = SimulatedCharge.objects.filter(payment=payment).values_list("state", flat=True)
    return charge.first() or "created"


def requests_of(booking: Booking) -> QuerySet[PaymentRequest]:
    """A booking's payment requests, newest first (`PaymentRequest.shown_state(now)` tells
    an expired one from an open one)."""
    return booking.payment_requests.order_by("-created_at", "-id")


def last_attempt(request: PaymentRequest) -> Payment | None:
    """The newest payment opened through a link."""
    return request.payments.order_by("-created_at", "-id").first()


def refunds_of(booking: Booking) -> QuerySet[Refund]:
    return Refund.objects.filter(payment__booking=booking)


def request_url(request: PaymentRequest) -> str:
    """The link customers open (absolute, `PUBLIC_URL`)."""
    return f"{settings.PUBLIC_URL}/pay/{request.token}/"
