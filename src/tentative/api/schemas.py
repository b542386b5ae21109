"""Request and response shapes. Bounds here keep bad input at 422 before it reaches SQL."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AfterValidator, AwareDatetime, Field

from tentative.bookings.models import Channel

MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text cannot contain NUL characters")
    return value


Name = Annotated[str, Field(max_length=200), AfterValidator(_no_nul)]
Email = Annotated[str, Field(max_length=254), AfterValidator(_no_nul)]
LongText = Annotated[str, Field(max_length=2000), AfterValidator(_no_nul)]


class ErrorOut(Schema):
    code: str
    message: str
    errors: list[dict] | None = None


class Participant(Schema):
    name: Name = ""
    email: Email = ""


class LineIn(Schema):
    event_date_id: Id
    ticket_type_id: Id
    quantity: int = Field(ge=1, le=1000)
    participants: list[Participant] = Field(default_factory=list, max_length=1000)


class BookingIn(Schema):
    mode: Literal["quote", "request", "option", "confirmed"]
    lines: list[LineIn] = Field(min_length=1, max_length=50)
    customer_id: Id | None = None
    channel: Channel = Channel.API
    language: Literal["en", "fr", "es"] | None = None
    note: LongText = ""


class ReasonIn(Schema):
    reason: LongText = ""


class TargetIn(ReasonIn):
    target: Literal["option", "confirmed"] = "confirmed"


class ExtendIn(ReasonIn):
    until: AwareDatetime


class LineOut(Schema):
    event_date_id: int
    ticket_type_id: int
    quantity: int
    unit_price: Decimal


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
    created_at: datetime
    updated_at: datetime
    lines: list[LineOut]


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
    name: Name = Field(min_length=1)
    email: Email = ""
    kind: Literal["person", "company"] = "person"
    language: Literal["en", "fr", "es", ""] = ""


class CustomerOut(Schema):
    id: int
    name: str
    email: str
    kind: str
    language: str
