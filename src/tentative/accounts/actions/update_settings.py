"""Change the organisation's settings: time zone, currency, language, deadline policy, quote
validity, the languages of the public pages, the checkout hold and the caps on what one
visitor may book, how long personal data is kept. The currency is refused once bookings
exist (their prices and payments are in it).

Every value is checked here, whatever face sends it (a page, the API, a script): a bad one
is refused with a message per field (`InvalidSettings.fields`) and nothing is written."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

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

# Each number setting's allowed range, inclusive (the settings page shows them too).
RANGES: dict[str, tuple[int, int]] = {
    "checkout_hold_minutes": (1, 120),
    "public_max_places_per_order": (1, 100),
    "public_max_open_per_customer": (1, 100),
    "retention_days": (30, 3650),  # or None: keep
}
OUT_OF_RANGE = _("Enter a whole number from %(low)s to %(high)s.")
NO_LANGUAGE = _("Choose at least one language.")
UNKNOWN_LANGUAGE = _("Choose among the languages offered.")
DEFAULT_NOT_OFFERED = _("The default language (%(language)s) must be among the languages offered.")


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
        errors: dict[str, list[str]] = _checked(org)
        try:
            org.full_clean(exclude=["slug"])
        except ValidationError as error:
            for name, texts in error.message_dict.items():
                errors.setdefault(name, texts)  # ours first: it names the range
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


def _checked(org: Organisation) -> dict[str, list[str]]:
    """What the model's own validation does not say: the ranges and the languages."""
    errors: dict[str, list[str]] = {}
    for name, (low, high) in RANGES.items():
        value = getattr(org, name)
        if value is None and name == "retention_days":
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[name] = [str(OUT_OF_RANGE % {"low": low, "high": high})]
    offered = dict(settings.LANGUAGES)
    languages = org.languages
    if not isinstance(languages, list) or not all(isinstance(c, str) for c in languages):
        errors["languages"] = [str(UNKNOWN_LANGUAGE)]
    elif not languages:
        errors["languages"] = [str(NO_LANGUAGE)]
    elif any(code not in offered for code in languages) or len(set(languages)) != len(languages):
        errors["languages"] = [str(UNKNOWN_LANGUAGE)]
    elif org.default_language not in languages:
        name = offered.get(org.default_language, org.default_language)
        errors["languages"] = [str(DEFAULT_NOT_OFFERED % {"language": name})]
    return errors
