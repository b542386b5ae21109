"""Audiences, the channel × audience matrix and sales profiles (seed 001, docs/sales.md),
and what a customer may do with each ticket type: read by any staff token, changed by
owners and managers (checked in the actions). Thin shells over the actions."""

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from tentative.accounts import actions as accounts
from tentative.accounts.access import access_audience, audiences_of
from tentative.accounts.models import Audience
from tentative.api.access import staff_actor
from tentative.api.idempotency import Result, idempotent
from tentative.api.schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    BodyId,
    BodyInt,
    Id,
    Name,
    When,
    refusals,
)
from tentative.catalog import actions as catalog
from tentative.catalog import selectors
from tentative.catalog.access import access_profile, visible_events, visible_profiles
from tentative.catalog.models import SalesProfile, TicketType

router = Router(tags=["sales"])

ChannelCode = Literal["web", "box_office", "phone", "b2b", "api"]
Priority = Annotated[BodyInt, Field(ge=-1000, le=1000)]


class AudienceIn(Schema):
    name: Annotated[Name, Field(min_length=1, max_length=100)]


class AudienceOut(Schema):
    id: int
    name: str
    is_public: bool
    reserve_channels: list[str]


class MatrixRowIn(Schema):
    audience_id: BodyId | None = Field(None, description="null: the public audience")
    reserve_channels: list[ChannelCode] = Field(max_length=5)


class MatrixIn(Schema):
    rows: list[MatrixRowIn] = Field(max_length=200)


class CustomerAudienceIn(Schema):
    audience_id: BodyId | None = None


class ProfileIn(Schema):
    name: Annotated[Name, Field(min_length=1)]
    channels: list[ChannelCode] = Field(default_factory=list, max_length=5)
    audience_ids: list[BodyId] = Field(default_factory=list, max_length=200)
    starts_at: When | None = None
    ends_at: When | None = None
    priority: Priority = 0


class ItemIn(Schema):
    """An event, a ticket type, or neither (every product)."""

    event_id: BodyId | None = None
    ticket_type_id: BodyId | None = None
    for_sale: bool
    reservable: bool


class DeletedOut(Schema):
    deleted: int


class CustomerAudienceOut(Schema):
    customer_id: int
    audience_id: int | None


class ItemOut(Schema):
    id: int
    event_id: int | None
    ticket_type_id: int | None
    for_sale: bool
    reservable: bool


class ProfileOut(Schema):
    id: int
    name: str
    channels: list[str]
    audience_ids: list[int]
    starts_at: datetime | None
    ends_at: datetime | None
    priority: int
    items: list[ItemOut]


class ModesQuery(Schema):
    channel: ChannelCode = "web"
    audience_id: Id | None = None
    at: When | None = None


class ModesOut(Schema):
    ticket_type_id: int
    event_id: int
    for_sale: bool
    reservable: bool
    requires_approval: bool
    modes: list[str]
    profile_id: int | None


def _mutation(path: str, status: int, out: object, invalid: Sequence[str] = ()):  # type: ignore[no-untyped-def]
    return router.post(
        path,
        response={status: out, **WRITE_ERRORS},  # type: ignore[dict-item]
        openapi_extra=refusals((), invalid),
    )


def _audience_out(audience: Audience) -> dict[str, object]:
    return {
        "id": audience.id,
        "name": audience.name,
        "is_public": audience.is_public,
        "reserve_channels": list(audience.reserve_channels),
    }


def _profile_out(profile: SalesProfile) -> dict[str, object]:
    return {
        "id": profile.id,
        "name": profile.name,
        "channels": list(profile.channels),
        "audience_ids": sorted(a.id for a in profile.audiences.all()),
        # As text: the Idempotency-Key stores the body as JSON.
        "starts_at": profile.starts_at.isoformat() if profile.starts_at else None,
        "ends_at": profile.ends_at.isoformat() if profile.ends_at else None,
        "priority": profile.priority,
        "items": [
            {
                "id": i.id,
                "event_id": i.event_id,
                "ticket_type_id": i.ticket_type_id,
                "for_sale": i.for_sale,
                "reservable": i.reservable,
            }
            for i in profile.items.all()
        ],
    }


def _data(payload: ProfileIn) -> catalog.ProfileData:
    return catalog.ProfileData(
        name=payload.name,
        channels=tuple(payload.channels),
        audience_ids=tuple(payload.audience_ids),
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        priority=payload.priority,
    )


# -- audiences ------------------------------------------------------------------------------


@router.get("/audiences", response={200: list[AudienceOut], **READ_ERRORS})
def audiences(request: HttpRequest) -> object:
    return [_audience_out(a) for a in audiences_of(staff_actor(request))]


@_mutation("/audiences", 201, AudienceOut, invalid=("invalid_audience",))
@idempotent
def create_audience(request: HttpRequest, payload: AudienceIn) -> Result:
    actor = staff_actor(request)
    audience = accounts.create_audience(actor.organisation_id, actor=actor, name=payload.name)  # type: ignore[arg-type]
    return 201, _audience_out(audience)


@_mutation("/audiences/{audience_id}/rename", 200, AudienceOut, invalid=("invalid_audience",))
@idempotent
def rename_audience(request: HttpRequest, audience_id: Id, payload: AudienceIn) -> Result:
    actor = staff_actor(request)
    return 200, _audience_out(accounts.rename_audience(audience_id, actor=actor, name=payload.name))


@_mutation("/audiences/{audience_id}/delete", 200, DeletedOut)
@idempotent
def delete_audience(request: HttpRequest, audience_id: Id) -> Result:
    accounts.delete_audience(audience_id, actor=staff_actor(request))
    return 200, {"deleted": audience_id}


@_mutation("/audiences/matrix", 200, list[AudienceOut], invalid=("invalid_audience",))
@idempotent
def set_matrix(request: HttpRequest, payload: MatrixIn) -> Result:
    """Where each audience may reserve (book now, pay later) rather than only buy."""
    actor = staff_actor(request)
    accounts.set_reserve_channels(
        actor.organisation_id,  # type: ignore[arg-type]
        {row.audience_id: row.reserve_channels for row in payload.rows},
        actor=actor,
    )
    return 200, [_audience_out(a) for a in audiences_of(actor)]


@_mutation("/customers/{customer_id}/audience", 200, CustomerAudienceOut)
@idempotent
def set_customer_audience(
    request: HttpRequest, customer_id: Id, payload: CustomerAudienceIn
) -> Result:
    customer = accounts.set_customer_audience(
        customer_id, payload.audience_id, actor=staff_actor(request)
    )
    return 200, {"customer_id": customer.id, "audience_id": customer.audience_id}


# -- sales profiles -------------------------------------------------------------------------


@router.get("/sales-profiles", response={200: list[ProfileOut], **READ_ERRORS})
def profiles(request: HttpRequest) -> object:
    rows = visible_profiles(staff_actor(request)).prefetch_related("items", "audiences")
    return [_profile_out(p) for p in rows]


@router.get("/sales-profiles/{profile_id}", response={200: ProfileOut, **READ_ERRORS})
def profile(request: HttpRequest, profile_id: Id) -> object:
    return _profile_out(access_profile(staff_actor(request), profile_id))


@_mutation("/sales-profiles", 201, ProfileOut, invalid=("invalid_terms",))
@idempotent
def create_profile(request: HttpRequest, payload: ProfileIn) -> Result:
    actor = staff_actor(request)
    created = catalog.create_sales_profile(actor.organisation_id, _data(payload), actor=actor)  # type: ignore[arg-type]
    return 201, _profile_out(created)


@_mutation("/sales-profiles/{profile_id}", 200, ProfileOut, invalid=("invalid_terms",))
@idempotent
def update_profile(request: HttpRequest, profile_id: Id, payload: ProfileIn) -> Result:
    actor = staff_actor(request)
    return 200, _profile_out(catalog.update_sales_profile(profile_id, _data(payload), actor=actor))


@_mutation("/sales-profiles/{profile_id}/delete", 200, DeletedOut)
@idempotent
def delete_profile(request: HttpRequest, profile_id: Id) -> Result:
    catalog.delete_sales_profile(profile_id, actor=staff_actor(request))
    return 200, {"deleted": profile_id}


@_mutation("/sales-profiles/{profile_id}/items", 200, ProfileOut, invalid=("invalid_terms",))
@idempotent
def set_item(request: HttpRequest, profile_id: Id, payload: ItemIn) -> Result:
    actor = staff_actor(request)
    catalog.set_profile_item(
        profile_id,
        actor=actor,
        event_id=payload.event_id,
        ticket_type_id=payload.ticket_type_id,
        for_sale=payload.for_sale,
        reservable=payload.reservable,
    )
    return 200, _profile_out(access_profile(actor, profile_id))


@_mutation("/sales-profiles/{profile_id}/items/{item_id}/delete", 200, ProfileOut)
@idempotent
def remove_item(request: HttpRequest, profile_id: Id, item_id: Id) -> Result:
    actor = staff_actor(request)
    catalog.remove_profile_item(profile_id, item_id, actor=actor)
    return 200, _profile_out(access_profile(actor, profile_id))


@router.get("/sale-modes", response={200: list[ModesOut], **READ_ERRORS})
def sale_modes(request: HttpRequest, query: Query[ModesQuery]) -> object:
    """What a customer of `audience_id` (none: the public) may do with each ticket type on
    `channel` at `at` (default: now): buy, reserve, or request."""
    actor = staff_actor(request)
    if query.audience_id is not None:
        access_audience(actor, query.audience_id)
    rules = selectors.sale_rules(actor.organisation_id)  # type: ignore[arg-type]
    types = TicketType.objects.filter(event__in=visible_events(actor)).order_by("id")
    out = []
    for ticket_type in types:
        modes = selectors.sale_modes(
            ticket_type,
            channel=query.channel,
            audience_id=query.audience_id,
            at=query.at or timezone.now(),
            rules=rules,
        )
        out.append(
            {
                "ticket_type_id": ticket_type.id,
                "event_id": ticket_type.event_id,
                "for_sale": modes.for_sale,
                "reservable": modes.reservable,
                "requires_approval": modes.requires_approval,
                "modes": list(modes.modes),
                "profile_id": modes.profile_id,
            }
        )
    return out
