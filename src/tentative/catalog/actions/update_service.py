"""Change a service's settings, price or who delivers it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from tentative.catalog.access import access_service, check_may_manage_catalogue
from tentative.catalog.actions._common import record
from tentative.catalog.actions._service import apply_settings, check_resources
from tentative.catalog.actions.create_service import PRICE_MESSAGE
from tentative.catalog.errors import InvalidTerms
from tentative.catalog.models import Service, ServicePrice
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def update_service(
    service_id: int,
    *,
    actor: Actor,
    settings: dict[str, Any],
    price: Decimal | None = None,
    resource_ids: Sequence[int] | None = None,
    now: datetime | None = None,
) -> Service:
    """Only the given settings change; `price` (the first price) and `resource_ids` when
    given. Bookings already made keep their time and price."""
    now = now_or(now)
    check_may_manage_catalogue(actor)
    if price is not None and price < 0:
        raise InvalidTerms({"price": [str(PRICE_MESSAGE)]})
    with action_transaction():
        service = access_service(actor, service_id, lock=True)
        changed = sorted(apply_settings(service, settings))
        service.save()
        if resource_ids is not None:
            before = set(service.resources.values_list("id", flat=True))
            resources = check_resources(service, resource_ids)
            if before != {r.id for r in resources}:
                service.resources.set(resources)
                changed.append("resources")
        if price is not None:
            first = service.prices.order_by("id").first()
            if first is None:
                ServicePrice.objects.create(service=service, name=service.name, price=price)
                changed.append("price")
            elif first.price != price:
                first.price = price
                first.save(update_fields=["price"])
                changed.append("price")
        if changed:
            record(
                service.organisation_id,
                actor=actor,
                verb="service_changed",
                at=now,
                data={"service": service.id, "changed": changed},
            )
    return service
