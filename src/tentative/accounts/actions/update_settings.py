"""Change the organisation's settings: time zone, currency, language, deadline policy, quote
validity. The currency is refused once bookings exist (their prices and payments are in it)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError

from tentative.accounts.access import check_may_change_settings
from tentative.accounts.actions._common import record
from tentative.accounts.errors import CurrencyInUse, InvalidSettings
from tentative.accounts.models import Organisation
from tentative.core.money import Money
from tentative.shared.actor import Actor, check_organisation
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction

FIELDS = (
    "name",
    "time_zone",
    "currency",
    "default_language",
    "deadline_policy",
    "deadline_grace",
    "deadline_at_limit",
    "quote_validity_days",
    "languages",
    "checkout_hold_minutes",
    "public_max_places_per_order",
    "public_max_open_per_customer",
    "retention_days",
)


def update_settings(
    organisation_id: int, *, actor: Actor, values: dict[str, Any], now: datetime | None = None
) -> Organisation:
    now = now_or(now)
    check_may_change_settings(actor)
    check_organisation(actor, organisation_id)
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise InvalidSettings({name: ["unknown field"] for name in sorted(unknown)})
    with action_transaction():
        org = Organisation.objects.select_for_update(no_key=True).get(id=organisation_id)
        changed = {k: v for k, v in values.items() if getattr(org, k) != v}
        for name, value in changed.items():
            setattr(org, name, value)
        errors: dict[str, list[str]] = {}
        try:
            org.full_clean(exclude=["slug"])
        except ValidationError as error:
            errors.update(error.message_dict)
        if "currency" in changed:
            try:
                Money.zero(org.currency)
            except ValueError:
                errors.setdefault("currency", []).append(str(InvalidSettings.message))
        if errors:
            raise InvalidSettings({k: [str(m) for m in v] for k, v in errors.items()})
        if "currency" in changed and org.bookings.exists():  # type: ignore[attr-defined]
            raise CurrencyInUse(currency=Organisation.objects.get(id=org.id).currency)
        if not changed:
            return org
        org.save(update_fields=list(changed))
        record(
            org.id,
            actor=actor,
            verb="settings_changed",
            at=now,
            data={
                "changed": {
                    k: str(v) if isinstance(v, timedelta) else v for k, v in changed.items()
                }
            },
        )
    return org
