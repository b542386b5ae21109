"""Waiting lists (issue 12 item 5): a date's list, adding someone, offering places by hand,
removing an entry. Thin shells over `tentative.waitlist.actions`; rights are checked there.
Every mutation accepts an Idempotency-Key.

The offers themselves are bookings: read them with `GET /bookings/{reference}`.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from tentative.api.access import access_event_date, staff_actor
from tentative.api.idempotency import Result, idempotent
from tentative.api.schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    BodyId,
    BodyInt,
    Email,
    Id,
    LongText,
    Name,
    refusals,
)
from tentative.waitlist import actions, selectors
from tentative.waitlist.access import access_entry
from tentative.waitlist.models import WaitlistEntry

router = Router(tags=["waiting list"])

EntryState = Literal["waiting", "offered", "accepted", "lapsed", "declined", "left", "removed"]
Quantity = Annotated[BodyInt, Field(ge=1, le=1000)]


class EntryIn(Schema):
    name: Annotated[Name, Field(min_length=1)]
    email: Email
    quantity: Quantity = 1
    accepts_partial: bool = Field(False, description="Fewer places than asked would do.")
    ticket_type_id: BodyId | None = Field(None, description="None: any ticket type.")
    language: Literal["en", "fr", "es", ""] = ""


class RemoveIn(Schema):
    reason: LongText = ""


class EntryOut(Schema):
    id: int
    event_date_id: int
    ticket_type_id: int | None
    name: str
    email: str
    quantity: int
    accepts_partial: bool
    state: EntryState
    position: int | None = Field(description="Rank among the waiting entries; None otherwise.")
    offered_quantity: int
    offer_reference: str | None
    offer_deadline: datetime | None
    created_at: datetime


def _out(entry: WaitlistEntry, position: int | None) -> dict[str, object]:
    offer = entry.offer
    return EntryOut(
        id=entry.id,
        event_date_id=entry.event_date_id,
        ticket_type_id=entry.ticket_type_id,
        name=entry.name,
        email=entry.email,
        quantity=entry.quantity,
        accepts_partial=entry.accepts_partial,
        state=entry.state,  # type: ignore[arg-type]
        position=position,
        offered_quantity=entry.offered_quantity,
        offer_reference=offer.reference if offer else None,
        offer_deadline=offer.deadline_shown if offer else None,
        created_at=entry.created_at,
    ).model_dump(mode="json")


def _one(request: HttpRequest, entry_id: int) -> dict[str, object]:
    entry = access_entry(staff_actor(request), entry_id)
    return _out(entry, selectors.position(entry))


def _mutation(path: str, status: int, conflicts: Sequence[str], invalid: Sequence[str] = ()):  # type: ignore[no-untyped-def]
    return router.post(
        path,
        response={status: EntryOut, **WRITE_ERRORS},
        openapi_extra=refusals(conflicts, invalid),
    )


@router.get("/dates/{date_id}/waiting-list", response={200: list[EntryOut], **READ_ERRORS})
def list_waiting_list(request: HttpRequest, date_id: Id) -> object:
    """Every entry of the date, live ones first (waiting by position, then open offers)."""
    actor = staff_actor(request)
    date = access_event_date(actor, date_id)
    entries = selectors.entries_of_date(actor.organisation_id or 0, date.id)
    return [_out(e, e.position) for e in entries]  # type: ignore[attr-defined]


@_mutation(
    "/dates/{date_id}/waiting-list",
    201,
    conflicts=("places_available", "already_waiting", "date_started"),
    invalid=("invalid",),
)
@idempotent
def join_waiting_list(request: HttpRequest, date_id: Id, payload: EntryIn) -> Result:
    """Put someone on the date's waiting list (a phone call): refused while the date has
    the places free and nobody waits (book them instead)."""
    actor = staff_actor(request)
    date = access_event_date(actor, date_id)
    entry = actions.join_waitlist(
        actor=actor,
        organisation_id=actor.organisation_id,  # type: ignore[arg-type]
        event_date_id=date.id,
        ticket_type_id=payload.ticket_type_id,
        name=payload.name,
        email=payload.email,
        quantity=payload.quantity,
        accepts_partial=payload.accepts_partial,
        language=payload.language,
    )
    return 201, _one(request, entry.id)


@_mutation(
    "/waiting-list/{entry_id}/offer",
    200,
    conflicts=("not_waiting", "not_enough_places", "sold_out", "date_started"),
)
@idempotent
def offer_waiting_list_entry(request: HttpRequest, entry_id: Id) -> Result:
    """Offer the free places to this entry now, out of turn: an option held for it."""
    actions.offer_entry(entry_id, actor=staff_actor(request))
    return 200, _one(request, entry_id)


@_mutation("/waiting-list/{entry_id}/remove", 200, conflicts=("not_waiting",))
@idempotent
def remove_waiting_list_entry(request: HttpRequest, entry_id: Id, payload: RemoveIn) -> Result:
    """Take the entry off the list (it leaves); an open offer is withdrawn with it."""
    actions.remove_entry(entry_id, actor=staff_actor(request), reason=payload.reason)
    return 200, _one(request, entry_id)
