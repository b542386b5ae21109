"""Add a day off, holidays, or extra opening hours to a staff member's (or room's) hours."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils.translation import gettext_lazy as _

from tentative.catalog.access import access_resource, check_may_manage_catalogue
from tentative.catalog.actions._common import record, validated
from tentative.catalog.errors import InvalidTerms
from tentative.catalog.models import END_OF_DAY, HoursException
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction

DAYS_MESSAGE = _("The last day must be on or after the first day.")
LONG_MESSAGE = _("An exception covers at most 366 days.")
TIMES_MESSAGE = _("Give both times, the end after the start, or neither (the whole day).")
OPEN_TIMES_MESSAGE = _("Extra opening hours need a start and an end time.")


def add_hours_exception(
    resource_id: int,
    *,
    actor: Actor,
    kind: str,
    first_day: date,
    last_day: date | None = None,
    starts: time | None = None,
    ends: time | None = None,
    note: str = "",
    now: datetime | None = None,
) -> HoursException:
    """`kind` closed (whole days when no times, else those hours of each day) or open
    (extra hours on each day), from `first_day` to `last_day` (default: the same day)."""
    now = now_or(now)
    check_may_manage_catalogue(actor)
    last_day = last_day or first_day
    if last_day < first_day:
        raise InvalidTerms({"last_day": [str(DAYS_MESSAGE)]})
    if (last_day - first_day).days > 366:
        raise InvalidTerms({"last_day": [str(LONG_MESSAGE)]})
    if (starts is None) != (ends is None) or (
        starts is not None and ends is not None and not (ends > starts or ends == END_OF_DAY)
    ):
        raise InvalidTerms({"ends": [str(TIMES_MESSAGE)]})
    if kind == HoursException.Kind.OPEN and starts is None:
        raise InvalidTerms({"starts": [str(OPEN_TIMES_MESSAGE)]})
    with action_transaction():
        resource = access_resource(actor, resource_id, lock=True)
        exception = HoursException(
            resource=resource,
            kind=kind,
            first_day=first_day,
            last_day=last_day,
            starts=starts,
            ends=ends,
            note=note.strip(),
        )
        validated(exception, exclude=["resource"])
        exception.save()
        record(
            resource.organisation_id,
            actor=actor,
            verb="hours_exception_added",
            at=now,
            data={
                "resource": resource.id,
                "exception": exception.id,
                "kind": kind,
                "first_day": first_day.isoformat(),
                "last_day": last_day.isoformat(),
                "starts": f"{starts:%H:%M}" if starts else None,
                "ends": f"{ends:%H:%M}" if ends else None,
            },
        )
    return exception
