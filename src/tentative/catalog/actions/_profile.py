"""What the sales-profile actions share: the input, its checks, the audit entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tentative.accounts.models import Audience, Organisation
from tentative.audit.trail import new_entry
from tentative.catalog.errors import InvalidTerms
from tentative.core.sales import CHANNELS
from tentative.shared.actor import Actor

NAME_REQUIRED = _("A name of at most 200 characters is required.")
CHANNEL_UNKNOWN = _("Unknown channel.")
AUDIENCE_UNKNOWN = _("Unknown audience.")
PERIOD_ORDER = _("The end of the period must come after its start.")
NAIVE = _("Give the time with its time zone.")
PRIORITY_RANGE = _("The priority is a whole number between -1000 and 1000.")


@dataclass(frozen=True)
class ProfileData:
    name: str
    channels: tuple[str, ...] = ()  # empty: every channel
    audience_ids: tuple[int, ...] = ()  # empty: every audience
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    priority: int = 0


def clean(organisation_id: int, data: ProfileData) -> dict[str, Any]:
    """The fields as stored, or `InvalidTerms` naming each field at fault."""
    problems: dict[str, list[str]] = {}
    name = " ".join((data.name or "").split())
    if not name or len(name) > 200 or "\x00" in name:
        problems["name"] = [str(NAME_REQUIRED)]
    if not set(data.channels) <= set(CHANNELS):
        problems["channels"] = [str(CHANNEL_UNKNOWN)]
    audiences = sorted(set(data.audience_ids))
    known = Audience.objects.filter(organisation_id=organisation_id, id__in=audiences).count()
    if known != len(audiences):
        problems["audiences"] = [str(AUDIENCE_UNKNOWN)]
    for name_, value in (("starts_at", data.starts_at), ("ends_at", data.ends_at)):
        if value is not None and timezone.is_naive(value):
            problems[name_] = [str(NAIVE)]
    if (
        "starts_at" not in problems
        and "ends_at" not in problems
        and data.starts_at is not None
        and data.ends_at is not None
        and data.ends_at <= data.starts_at
    ):
        problems["ends_at"] = [str(PERIOD_ORDER)]
    if not -1000 <= data.priority <= 1000:
        problems["priority"] = [str(PRIORITY_RANGE)]
    if problems:
        raise InvalidTerms(problems)
    return {
        "name": name,
        "channels": [c for c in CHANNELS if c in set(data.channels)],
        "audiences": audiences,
        "starts_at": data.starts_at,
        "ends_at": data.ends_at,
        "priority": data.priority,
    }


def in_use(organisation_id: int) -> None:
    """From now on the booking path reads profiles (catalog `sale_rules`)."""
    Organisation.objects.filter(id=organisation_id, sale_rules_in_use=False).update(
        sale_rules_in_use=True
    )


def record(
    organisation_id: int, *, actor: Actor, verb: str, at: datetime, data: dict[str, Any]
) -> None:
    new_entry(
        organisation_id, actor=actor, action=f"catalog.profile_{verb}", at=at, data=data
    ).save()


def plain(value: Any) -> Any:
    """A value as the audit entry's JSON keeps it."""
    return value.isoformat() if isinstance(value, datetime) else value


def jsonable(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: plain(v) for k, v in fields.items()}
