"""Appointments: staff members with working hours, services with booking settings."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time

from tentative.catalog.models import HoursException, Resource, WorkingHours

WEEKDAYS = range(5)
DAY = ((time(9), time(12)), (time(14), time(18)))


def working_hours(
    resource: Resource,
    weekdays: Iterable[int] = WEEKDAYS,
    ranges: Iterable[tuple[time, time]] = DAY,
) -> Resource:
    ranges = list(ranges)
    WorkingHours.objects.bulk_create(
        WorkingHours(resource=resource, weekday=d, starts=a, ends=b)
        for d in weekdays
        for a, b in ranges
    )
    return resource


def day_off(resource: Resource, first: date, last: date | None = None) -> HoursException:
    return HoursException.objects.create(
        resource=resource, kind="closed", first_day=first, last_day=last or first
    )


def extra_hours(resource: Resource, day: date, starts: time, ends: time) -> HoursException:
    return HoursException.objects.create(
        resource=resource, kind="open", first_day=day, last_day=day, starts=starts, ends=ends
    )
