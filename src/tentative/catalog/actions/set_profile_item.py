"""Name a product in a sales profile, as for sale and/or reservable: one ticket type, an
event (all its ticket types), or every product (neither). Naming a product the profile
already names changes that item: a profile says one thing per product."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from tentative.catalog.access import access_profile, check_may_manage_catalogue
from tentative.catalog.actions._profile import record
from tentative.catalog.errors import InvalidTerms
from tentative.catalog.models import Event, SalesProfileItem, TicketType
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.errors import NotFound
from tentative.shared.transactions import action_transaction

ONE_PRODUCT = _("Choose an event or a ticket type, not both.")


def set_profile_item(
    profile_id: int,
    *,
    actor: Actor,
    event_id: int | None = None,
    ticket_type_id: int | None = None,
    for_sale: bool,
    reservable: bool,
    now: datetime | None = None,
) -> SalesProfileItem:
    now = now_or(now)
    check_may_manage_catalogue(actor)
    if event_id is not None and ticket_type_id is not None:
        raise InvalidTerms({"product": [str(ONE_PRODUCT)]})
    with action_transaction():
        profile = access_profile(actor, profile_id, lock=True)
        org = profile.organisation_id
        if event_id is not None and not Event.objects.filter(id=event_id, organisation_id=org):
            raise NotFound()
        if ticket_type_id is not None and not TicketType.objects.filter(
            id=ticket_type_id, event__organisation_id=org
        ):
            raise NotFound()
        item = SalesProfileItem.objects.filter(
            profile=profile, event_id=event_id, ticket_type_id=ticket_type_id
        ).first()
        before = None if item is None else [item.for_sale, item.reservable]
        if item is None:
            item = SalesProfileItem(
                profile=profile, event_id=event_id, ticket_type_id=ticket_type_id
            )
        elif before == [for_sale, reservable]:
            return item
        item.for_sale, item.reservable = for_sale, reservable
        item.save()
        record(
            org,
            actor=actor,
            verb="item",
            at=now,
            data={
                "profile": profile.id,
                "event": event_id,
                "ticket_type": ticket_type_id,
                "for_sale_reservable": [before, [for_sale, reservable]],
            },
        )
    return item
