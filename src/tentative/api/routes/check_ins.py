"""Scanning devices at the door: one POST per scan, with the device's nonce for that scan.

A repeated upload of the same scan (same nonce, same code) counts once and answers the
first outcome again (`repeated: true`); two different scans of one ticket: the second is
`already_used`, with the time of the first. The outcome is an answer, never an error: a
ticket that is not valid is a 200 with `outcome: not_valid`. Thin shell over
`checkin.actions.check_in`.
"""

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import StringConstraints

from tentative.api.access import access_event_date, staff_actor
from tentative.api.idempotency import Result, idempotent
from tentative.api.schemas import READ_ERRORS, WRITE_ERRORS, BodyId, Id, refusals
from tentative.checkin import actions, labels, selectors
from tentative.checkin.actions import MAX_NONCE

router = Router(tags=["check-in"])

Nonce = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_NONCE, pattern=r"^[\x21-\x7e]+$"),
]


class CheckInIn(Schema):
    code: Annotated[str, Field(min_length=1, max_length=64, description="The ticket's code")]
    nonce: Annotated[
        Nonce,
        Field(description="Unique per scan in the organisation, chosen by the device (a UUID)"),
    ]
    event_date: BodyId | None = Field(
        default=None, description="The date being checked in: a ticket for another is not valid"
    )


class CheckInOut(Schema):
    outcome: Literal["valid", "already_used", "not_valid", "not_paid"]
    message: str
    code: str
    reason: str = Field(description="Why not valid or not paid: unknown, ended, other_date, unpaid")
    booking: str | None
    ticket_type: str | None
    first_used_at: datetime | None = Field(description="When the place was first let in")
    repeated: bool = Field(description="This nonce was uploaded before: its first answer")


@router.post(
    "/check-ins",
    response={200: CheckInOut, **WRITE_ERRORS},
    openapi_extra=refusals((), ("nonce_reused",)),
)
@idempotent
def check_in(request: HttpRequest, payload: CheckInIn) -> Result:
    """Check in one scanned ticket (any staff member's token)."""
    actor = staff_actor(request)
    if payload.event_date is not None:
        access_event_date(actor, payload.event_date)
    result = actions.check_in(
        actor=actor, code=payload.code, nonce=payload.nonce, event_date_id=payload.event_date
    )
    message = labels.REASONS.get(result.reason) or labels.OUTCOMES[result.outcome]
    return 200, CheckInOut(
        outcome=result.outcome.value,
        message=str(message),
        code=result.code,
        reason=result.reason,
        booking=result.booking.reference if result.booking else None,
        ticket_type=result.line.ticket_type.name
        if result.line and result.line.ticket_type
        else None,
        first_used_at=result.first_used_at,
        repeated=result.repeated,
    ).model_dump(mode="json")


class AttendeeOut(Schema):
    code: str
    name: str
    ticket_type: str
    booking: str
    state: str
    checked_in_at: datetime | None


@router.get("/dates/{date_id}/attendees", response={200: list[AttendeeOut], **READ_ERRORS})
def attendees(request: HttpRequest, date_id: Id) -> object:
    """A date's places (confirmed bookings and accepted options), one per ticket code, with
    the name given for the place and when it was checked in: a door device's list."""
    date = access_event_date(staff_actor(request), date_id)
    return [
        {
            "code": row.code,
            "name": row.name,
            "ticket_type": row.line.ticket_type.name if row.line.ticket_type_id else "",
            "booking": row.booking.reference,
            "state": row.booking.state,
            "checked_in_at": row.checked_in_at,
        }
        for row in selectors.attendees(date)
    ]
