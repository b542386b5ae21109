"""What the capacity actions of the catalogue pages share: rights, the audit entry, the
capacity's bounds, and the date written in words for a refusal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from tentative.audit.trail import new_entry
from tentative.catalog.models import EventDate
from tentative.shared.actor import Actor
from tentative.shared.errors import InvalidInput

MAX_CAPACITY = 1_000_000
BAD_CAPACITY = _("A capacity is a whole number of places between 0 and %(max)s.")


def capacity_value(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_CAPACITY:
        raise InvalidInput(BAD_CAPACITY, max=MAX_CAPACITY)
    return value


def record(
    organisation_id: int, *, actor: Actor, verb: str, at: datetime, data: dict[str, Any]
) -> None:
    new_entry(organisation_id, actor=actor, action=f"catalog.{verb}", at=at, data=data).save()


def when(date: EventDate) -> str:
    local = timezone.localtime(date.starts_at, date.event.organisation.zone)
    return formats.date_format(local, "DATETIME_FORMAT")
