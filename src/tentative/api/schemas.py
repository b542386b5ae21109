"""Request and response shapes. Bounds here keep bad input at 422 before it reaches SQL.

Every value that reaches a query is bounded here: ids fit a signed 64-bit column, text has
no NUL byte or lone surrogate (PostgreSQL and UTF-8 refuse both), datetimes carry a zone and
stay far enough from year 1 and 9999 that converting them to UTC cannot overflow.

Every integer is an integer: in a JSON body `true`, `false`, `1.5`, `1.0` and `"1"` are
refused (strict), and in a path or a query, where everything is text, only digits are
(pydantic would read `1.0`, `+1`, ` 1` and `1_0` as numbers there). A boolean taken as a
number once emptied a reserve (`"quantity": false`). And the OpenAPI schema says what the
server refuses: bounds, zones, mutually exclusive fields, and each operation's 409 and 422.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Schema
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, model_validator

from tentative.bookings.actions import MAX_QUANTITY
from tentative.bookings.models import Booking, Channel
from tentative.payments import selectors as payment_selectors

MAX_ID = 2**63 - 1


def _digits(value: object) -> object:
    """In a path or a query all is text: an integer there is written in ASCII digits."""
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,30}", value):
        return value
    if isinstance(value, int) and not isinstance(value, bool):  # a default
        return value
    raise ValueError("expected an integer, written in digits")


# In a path or a query. The bounds come before the validator, or pydantic writes them into
# the JSON schema as `ge` and `le`, which no OpenAPI client reads.
TextInt = Annotated[int, BeforeValidator(_digits)]
Id = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_digits)]
# In a JSON body a number is a number: "12", 12.0, 1.5 and true are not ids or quantities.
BodyInt = Annotated[int, Field(strict=True)]
BodyId = Annotated[BodyInt, Field(ge=1, le=MAX_ID)]
# Booking references are 8 characters of an upper-case alphabet; 12 leaves room to grow.
Reference = Annotated[str, Field(min_length=1, max_length=12, pattern=r"^[A-Za-z0-9]+$")]

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def _clean_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text cannot contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode") from None
    return value


def _email(value: str) -> str:
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError("enter a valid email address") from None
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("cannot be blank")
    return value


def _iso_8601(value: object) -> object:
    """Pydantic also reads a number as a Unix timestamp; the schema promises ISO 8601."""
    if isinstance(value, str) and re.match(r"^\d{4}-\d\d-\d\d[T ]", value):
        return value
    if isinstance(value, datetime):
        return value
    raise ValueError("expected an ISO 8601 date and time with its zone")


def _in_range(value: datetime) -> datetime:
    if not EARLIEST <= value <= LATEST:
        raise ValueError("must be between the years 1900 and 9000")
    return value


Name = Annotated[str, Field(max_length=200), AfterValidator(_clean_text)]
Email = Annotated[str, Field(max_length=254), AfterValidator(_clean_text), AfterValidator(_email)]
LongText = Annotated[str, Field(max_length=2000), AfterValidator(_clean_text)]
WHEN = (
    "An ISO 8601 date and time with its UTC offset (`2027-05-01T18:00:00+02:00`); one "
    "without an offset, or a number, is refused. Between 1900-01-01 and 9000-01-01 UTC."
)
When = Annotated[
    AwareDatetime,
    BeforeValidator(_iso_8601),
    AfterValidator(_in_range),
    Field(description=WHEN),
]
FUTURE = " Must be in the future and before the event date starts (422 otherwise)."


class ErrorDetail(Schema):
    loc: list[str]
    msg: str


class ErrorOut(Schema):
    """Every 4xx and 5xx: `code` for programs, `message` for people (translated)."""

    code: str
    message: str
    errors: list[ErrorDetail] | None = None


# What the OpenAPI schema documents for every operation: the error shapes, and the header.
READ_ERRORS: dict[int, type[Schema]] = {code: ErrorOut for code in (401, 404, 422)}
WRITE_ERRORS: dict[int, type[Schema]] = {
    code: ErrorOut for code in (400, 401, 403, 404, 409, 413, 415, 422)
}
IDEMPOTENCY_KEY = {
    "parameters": [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "description": (
                "Any unique string (a UUID, say). Sending the same key again with the same "
                "body returns the first response and changes nothing; with a different body, "
                "a 422. Keys are per API token. The first answer is kept, refusals included "
                "(a 409 `sold_out` is answered again even after places come free: send a new "
                "key to try again); a repeat sent while the first is running waits for it. "
                "Nothing is kept when the input is invalid (422 `invalid`), when the key is "
                "reused with another body, on a 409 `capacity_busy` or on a server error: "
                "those may be retried with the same key."
            ),
            "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
        }
    ]
}


def refusals(conflicts: Sequence[str] = (), invalid: Sequence[str] = ()) -> dict[str, Any]:
    """A mutating operation's `openapi_extra`: the Idempotency-Key header, and what its 409
    and 422 answers mean (`code` tells them apart; the body is always `ErrorOut`)."""

    def codes(names: Sequence[str]) -> str:
        return ", ".join(f"`{name}`" for name in names)

    extra = copy.deepcopy(IDEMPOTENCY_KEY)  # Ninja merges into it in place
    extra["responses"] = {
        409: {
            "description": (
                "Refused by the current state; `code` says why: "
                + codes([*conflicts, "capacity_busy"])
                + ". `capacity_busy` (a lock waited too long) may be retried as it is."
            )
        },
        422: {
            "description": (
                "Refused input; `code` says why: "
                + codes(["invalid", *invalid, "idempotency_key_reused"])
                + ". With `invalid`, `errors` lists each refused field (`loc`, `msg`)."
            )
        },
    }
    return extra


class Participant(Schema):
    name: Name = ""
    email: Email = ""


class LineIn(Schema):
    event_date_id: BodyId
    ticket_type_id: BodyId
    quantity: BodyInt = Field(ge=1, le=MAX_QUANTITY)
    participants: list[Participant] = Field(
        default_factory=list,
        max_length=MAX_QUANTITY,
        description="At most `quantity` participants (422 otherwise).",
    )
    # Book from this capacity reserve (staff with access) instead of general sale.
    reserve_id: BodyId | None = None

    @model_validator(mode="after")
    def _participants_fit(self) -> LineIn:
        if len(self.participants) > self.quantity:
            raise ValueError("more participants than places on the line")
        return self


class SlotIn(Schema):
    """An appointment, or the players of one price category in a room session."""

    service_id: BodyId
    resource_id: BodyId = Field(description="The staff member or room that delivers it.")
    starts_at: When = Field(description="In the future, with its time zone.")
    quantity: int = Field(1, ge=1, le=MAX_QUANTITY, strict=True)
    price_id: BodyId | None = Field(None, description="The service's first price if omitted.")
    participants: list[Participant] = Field(default_factory=list, max_length=MAX_QUANTITY)

    @model_validator(mode="after")
    def _participants_fit(self) -> SlotIn:
        if len(self.participants) > self.quantity:
            raise ValueError("more participants than people on the line")
        return self


class BookingIn(Schema):
    """Tickets go in `lines`, appointments and room sessions in `slots`; a booking needs
    at least one of either, and may mix them."""

    mode: Literal["quote", "request", "option", "confirmed"]
    lines: list[LineIn] = Field(default_factory=list, max_length=50)
    slots: list[SlotIn] = Field(default_factory=list, max_length=50)
    customer_id: BodyId | None = None
    channel: Channel = Channel.API
    language: Literal["en", "fr", "es"] | None = None
    note: LongText = ""

    @model_validator(mode="after")
    def _something_booked(self) -> BookingIn:
        if not self.lines and not self.slots:
            raise ValueError("a booking needs at least one line or slot")
        return self


class ReasonIn(Schema):
    reason: LongText = ""


class TargetIn(ReasonIn):
    target: Literal["option", "confirmed"] = "confirmed"


class ApproveIn(ReasonIn):
    # Absent: the offer decides. An explicit null is refused like any other wrong value.
    target: Literal["option", "confirmed"] = Field(  # type: ignore[assignment]
        None,
        description="Absent: an option awaiting payment when the offer is charged after "
        "approval, else confirmed. `confirmed` is refused for such an offer.",
    )


class ExtendIn(ReasonIn):
    until: When = Field(description="The new deadline. " + WHEN + FUTURE)


class MoveIn(ReasonIn):
    """`reason` is a private note (the audit trail). Tickets move to another date of their
    event (`event_date_id`) and/or one line to another ticket type of it (`ticket_type_id`,
    at that type's price: the total follows; `line_id` names the line when the booking has
    several); appointments and room sessions to another start and/or resource
    (`starts_at`, `resource_id`). Unset: unchanged."""

    event_date_id: BodyId | None = None
    ticket_type_id: BodyId | None = None
    line_id: BodyId | None = Field(
        None, description="The line that changes ticket type (else: every line moves)."
    )
    starts_at: When | None = Field(None, description="In the future, with its time zone.")
    resource_id: BodyId | None = None
    message: LongText = Field("", description="For the customer, in the 'moved' email.")
    notify: bool = Field(True, description="Email the customer about the move.")

    @model_validator(mode="after")
    def _one_kind(self) -> MoveIn:
        ticket = self.event_date_id is not None or self.ticket_type_id is not None
        if not ticket and self.starts_at is None and self.resource_id is None:
            raise ValueError(
                "give event_date_id and/or ticket_type_id, or starts_at and/or resource_id"
            )
        if ticket and (self.starts_at or self.resource_id):
            raise ValueError("event_date_id and ticket_type_id exclude starts_at and resource_id")
        return self


class QuantityIn(ReasonIn):
    line_id: BodyId
    quantity: int = Field(ge=1, le=MAX_QUANTITY, strict=True)


class LineOut(Schema):
    id: int
    event_date_id: int | None
    ticket_type_id: int | None
    service_id: int | None
    service_price_id: int | None
    resource_id: int | None
    starts_at: datetime
    ends_at: datetime
    quantity: int
    unit_price: Decimal


class BalanceOut(Schema):
    currency: str
    due: Decimal
    captured: Decimal
    refunded: Decimal
    outstanding: Decimal = Field(description="Positive: the customer owes it; negative: we do.")
    status: Literal["unpaid", "partially_paid", "paid", "overpaid"]


class BookingOut(Schema):
    reference: str
    state: str
    holds_capacity: bool
    customer_id: int | None
    channel: str
    language: str
    total: Decimal
    currency: str
    deadline_shown: datetime | None
    deadline_enforced: datetime | None
    at_limit: str
    deadline_rule: str
    decide_by: datetime | None = Field(
        None,
        description="A pending request only: when staff must decide, the earlier of the "
        "request's deadline and the end of the card authorisation taken with it.",
    )
    created_at: datetime
    updated_at: datetime
    lines: list[LineOut]
    payment: BalanceOut = Field(description="What the booking costs, what was paid and owed.")

    @staticmethod
    def resolve_payment(booking: Booking | dict[str, Any]) -> object:
        if isinstance(booking, dict):  # an answer already rendered (idempotent replays)
            return booking["payment"]
        return balance_out(booking)

    @staticmethod
    def resolve_decide_by(obj: Booking | dict[str, Any]) -> datetime | None:
        if isinstance(obj, dict):  # an answer already dumped, checked against the schema
            return obj.get("decide_by")  # type: ignore[no-any-return]
        return payment_selectors.decide_by(obj)


def balance_out(booking: Booking) -> dict[str, object]:
    """A booking's balance as the API shows it: read from a list's annotations
    (`payments.selectors.with_money`) when there, else from its payments (one query)."""
    balance = (
        payment_selectors.balance_of_row(booking)
        if hasattr(booking, "paid_in")
        else payment_selectors.balance(booking)
    )
    return {
        "currency": booking.currency,
        "due": balance.due.amount,
        "captured": balance.captured.amount,
        "refunded": balance.refunded.amount,
        "outstanding": balance.outstanding.amount,
        "status": balance.status.value,
    }


class AuditOut(Schema):
    at: datetime
    actor_kind: str
    actor_label: str
    action: str
    from_state: str
    to_state: str
    reason: str


class TicketTypeOut(Schema):
    id: int
    name: str
    description: str
    price: Decimal
    requires_approval: bool
    reservable: bool


class PriceOut(Schema):
    id: int
    name: str
    price: Decimal


class ServiceOut(Schema):
    id: int
    kind: str = Field(description="appointment or room_session")
    name: str
    description: str
    duration: timedelta
    buffer_before: timedelta
    buffer_after: timedelta
    min_participants: int
    max_participants: int
    requires_approval: bool
    requests_hold_capacity: bool = Field(
        description="false: several clients may request the same slot until one is approved"
    )
    reservable: bool
    prices: list[PriceOut]
    resource_ids: list[int]

    @staticmethod
    def resolve_resource_ids(service: object) -> list[int]:
        return [r.id for r in service.resources.all()]  # type: ignore[attr-defined]


class ResourceOut(Schema):
    id: int
    kind: str = Field(description="staff or room")
    name: str


class BusyOut(Schema):
    """A time the resource cannot be booked, buffers included."""

    starts_at: datetime
    ends_at: datetime


class DateOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime


class EventOut(Schema):
    id: int
    name: str
    description: str
    dates: list[DateOut]
    ticket_types: list[TicketTypeOut]


class PoolOut(Schema):
    ticket_type_id: int | None
    capacity: int
    taken: int
    set_aside: int
    free: int


class AvailabilityOut(Schema):
    event_date_id: int
    free: int  # places a new booking could take now, over the date's pool
    pools: list[PoolOut]


class OrganisationOut(Schema):
    id: int
    name: str
    slug: str
    time_zone: str
    currency: str
    default_language: str
    deadline_policy: str


class CustomerIn(Schema):
    name: Annotated[Name, Field(min_length=1), AfterValidator(_not_blank)]
    email: Email = ""
    kind: Literal["person", "company"] = "person"
    language: Literal["en", "fr", "es", ""] = ""


class CustomerOut(Schema):
    id: int
    name: str
    email: str
    kind: str
    language: str


# Money travels as a decimal string ("12.50"): a JSON number would pass through a float.
Amount = Annotated[
    str,
    Field(
        pattern=r"^\d{1,9}(\.\d{1,3})?$",
        description='A decimal string, e.g. "12.50"; no more decimals than the currency has.',
    ),
]


class PaymentIn(Schema):
    amount: Amount
    method: Literal["cash", "terminal", "transfer", "card"] = Field(
        "cash",
        description=(
            "cash, terminal, transfer: taken at the desk, captured at once; card: opens a "
            "payment with the simulated card processor (test mode), moved by its notifications."
        ),
    )
    note: LongText = ""


class PaymentOut(Schema):
    reference: str
    provider: str
    method: str
    state: str
    amount: Decimal
    captured: Decimal
    refunded: Decimal
    currency: str
    created_at: datetime


class AuthorisationOut(Schema):
    payment: PaymentOut
    pay_url: str = Field(
        description="The card processor's hosted page (the simulated one: test mode), where "
        "the customer authorises the card; nothing is taken until staff approve."
    )


class PaymentsOut(Schema):
    balance: BalanceOut
    payments: list[PaymentOut]


class RefundIn(Schema):
    amount: Amount
    reason: LongText = ""


class RefundOut(Schema):
    payment: str
    state: str
    amount: Decimal
    reason: str
    pay_back_yourself: bool = Field(
        description="An offline payment: staff give the money back themselves."
    )


class NotificationOut(Schema):
    outcome: Literal["applied", "duplicate", "stale"]


# Coupons and gift vouchers (issue 10 item 5).
VoucherCode = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9 -]+$")]


class VoucherIn(Schema):
    kind: Literal["coupon", "gift"] = Field(
        description="coupon: credit given by staff (owners and managers); gift: a gift voucher "
        "sold at the desk, with the `method` it was paid by."
    )
    amount: Amount
    currency: str = Field("", max_length=3, description="Default: the organisation's.")
    expires_at: When | None = None
    email: Email = Field("", description="Where sending it emails it.")
    note: LongText = ""
    method: Literal["", "cash", "terminal", "transfer"] = ""


class VoucherEntryOut(Schema):
    kind: Literal["issue", "redeem", "recredit"]
    amount: Decimal = Field(description="Signed: + issued or re-credited, − redeemed.")
    payment: str | None = Field(None, description="The payment it paid or was refunded from.")
    booking: str | None = None
    at: datetime
    actor: str


class VoucherOut(Schema):
    code: str
    kind: str
    currency: str
    balance: Decimal = Field(description="The sum of the ledger.")
    expires_at: datetime | None
    booking: str | None = Field(None, description="The booking it came from.")
    email: str
    note: str
    sent_at: datetime | None
    created_at: datetime


class VoucherDetailOut(VoucherOut):
    ledger: list[VoucherEntryOut]


class RedeemIn(Schema):
    code: VoucherCode
    amount: Amount | None = Field(
        None, description="Default: as much as the voucher holds, up to what is still due."
    )


class CouponIn(Schema):
    amount: Amount | None = Field(None, description="Default: the whole overpayment.")
    expires_at: When | None = None
    note: LongText = ""


class CancelWithMoneyIn(Schema):
    reason: LongText = ""
    refund: Amount | None = Field(None, description="Refunded across card and offline payments.")
    coupon: Amount | None = Field(None, description="Kept as a new coupon, sent in the email.")
    coupon_expires_at: When | None = None
    recredit_vouchers: bool = Field(
        False, description="Put back what coupons and gift vouchers paid onto them."
    )


class CancelWithMoneyOut(Schema):
    booking: str
    state: str
    refunded: Decimal
    pay_back_yourself: Decimal = Field(
        description="Refunded from offline payments: staff give this back themselves."
    )
    coupon: VoucherOut | None
    recredited: Decimal


class PaymentRequestIn(Schema):
    amount: Amount | None = Field(
        None, description="Default: what is still due. Never more than that (422 otherwise)."
    )
    expires_at: When | None = Field(
        None,
        description=(
            "Default: the option's deadline while ahead, else 7 days. In the future, and for "
            "an option no later than its enforced deadline (422 `expiry_invalid`)."
        ),
    )
    send: bool = Field(False, description="Email the link to the customer at once.")


class PaymentRequestOut(Schema):
    id: int
    amount: Decimal
    currency: str
    state: Literal["open", "paid", "cancelled", "expired"] = Field(
        description="`expired`: an open link past `expires_at`; it can no longer be paid."
    )
    url: str = Field(description="The link the customer opens to pay (anyone holding it can).")
    expires_at: datetime
    created_at: datetime
    sent_at: datetime | None
    sent_count: int
    paid_at: datetime | None


# Issue 11 item 4: the bulk decision on pending requests.
class DecideIn(Schema):
    references: list[Reference] = Field(min_length=1, max_length=1000)
    decision: Literal["accept", "refuse"]
    message: LongText = Field(
        "", description="For the customers' emails (accepted or not accepted), and the history."
    )


class DecidedOut(Schema):
    reference: str
    outcome: str = Field(
        description=(
            "`accepted`, `refused`, `no_places` (not accepted: no places remain; it is still "
            "a request), `already_decided` (no longer a request), `lapsed` (past its decision "
            "limit: only refusing is left), `deadline_unreachable`, `not_allowed` (places from "
            "a reserve you may not draw from), `not_found`"
        )
    )
    state: str = Field(description="The booking's state afterwards; empty when not found.")


class DecideOut(Schema):
    outcomes: list[DecidedOut]
    counts: dict[str, int]
