"""Replace a staff member's (or a room's) weekly working hours."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from itertools import pairwise

from django.utils.translation import gettext_lazy as _

from tentative.catalog.access import access_resource, check_may_manage_catalogue
from tentative.catalog.actions._common import record
from tentative.catalog.errors import InvalidTerms
from tentative.catalog.models import END_OF_DAY, WorkingHours
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction

WEEKDAY_MESSAGE = _("A weekday is a number from 0 (Monday) to 6 (Sunday).")
RANGE_MESSAGE = _("Each range must end after it starts (00:00 as the end means midnight).")
OVERLAP_MESSAGE = _("Two ranges of the same day overlap: %(first)s and %(second)s.")


def _span(starts: time, ends: time) -> tuple[int, int]:
    end = 24 * 60 if ends == END_OF_DAY else ends.hour * 60 + ends.minute
    return starts.hour * 60 + starts.minute, end


def check_week(ranges: Sequence[tuple[int, time, time]]) -> None:
    """Refuse a weekday out of range, a range that ends before it starts, and two ranges
    of one day that overlap (touching ones are fine: 09–12 then 12–18)."""
    by_day: dict[int, list[tuple[int, int, time, time]]] = {}
    for weekday, starts, ends in ranges:
        if not 0 <= weekday <= 6:
            raise InvalidTerms({"hours": [str(WEEKDAY_MESSAGE)]})
        if not (ends > starts or ends == END_OF_DAY) or starts.second or ends.second:
            raise InvalidTerms({"hours": [str(RANGE_MESSAGE)]})
        by_day.setdefault(weekday, []).append((*_span(starts, ends), starts, ends))
    for spans in by_day.values():
        spans.sort()
        for a, b in pairwise(spans):
            if b[0] < a[1]:
                raise InvalidTerms(
                    {
                        "hours": [
                            str(OVERLAP_MESSAGE)
                            % {
                                "first": f"{a[2]:%H:%M}–{a[3]:%H:%M}",
                                "second": f"{b[2]:%H:%M}–{b[3]:%H:%M}",
                            }
                        ]
                    }
                )


def set_working_hours(
    resource_id: int,
    *,
    actor: Actor,
    ranges: Sequence[tuple[int, time, time]],
    now: datetime | None = None,
) -> list[WorkingHours]:
    """`ranges`: (weekday, starts, ends), wall-clock times of the organisation's zone,
    several per day allowed. Replaces the whole week."""
    now = now_or(now)
    check_may_manage_catalogue(actor)
    check_week(ranges)
    with action_transaction():
        resource = access_resource(actor, resource_id, lock=True)
        WorkingHours.objects.filter(resource=resource).delete()
        rows = WorkingHours.objects.bulk_create(
            WorkingHours(resource=resource, weekday=w, starts=s, ends=e)
            for w, s, e in sorted(ranges)
        )
        record(
            resource.organisation_id,
            actor=actor,
            verb="hours_set",
            at=now,
            data={
                "resource": resource.id,
                "hours": [[w, f"{s:%H:%M}", f"{e:%H:%M}"] for w, s, e in sorted(ranges)],
            },
        )
    return rows
