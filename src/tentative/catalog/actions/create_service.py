"""Create a service (an appointment or a room session) with its price and who delivers it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from tentative.catalog.access import check_may_manage_catalogue
from tentative.catalog.actions._common import record
from tentative.catalog.actions._service import apply_settings, check_resources
from tentative.catalog.errors import InvalidTerms
from tentative.catalog.models import Service, ServicePrice
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction

KIND_MESSAGE = _("Choose an appointment or a room session.")
PRICE_MESSAGE = _("A price of zero or more is required.")


def create_service(
    *,
    actor: Actor,
    kind: str = Service.Kind.APPOINTMENT,
    price: Decimal,
    resource_ids: Sequence[int] = (),
    settings: dict[str, Any],
    now: datetime | None = None,
) -> Service:
    now = now_or(now)
    check_may_manage_catalogue(actor)
    assert actor.organisation_id is not None
    if kind not in Service.Kind.values:
        raise InvalidTerms({"kind": [str(KIND_MESSAGE)]})
    if price is None or price < 0:
        raise InvalidTerms({"price": [str(PRICE_MESSAGE)]})
    with action_transaction():
        service = Service(organisation_id=actor.organisation_id, kind=kind)
        apply_settings(service, settings)
        resources = check_resources(service, resource_ids)
        service.save()
        service.resources.set(resources)
        ServicePrice.objects.create(service=service, name=service.name, price=price)
        record(
            service.organisation_id,
            actor=actor,
            verb="service_created",
            at=now,
            data={"service": service.id, "name": service.name, "kind": kind},
        )
    return service
