"""Reads of the catalog shared by every face: what an organisation offers, and who delivers it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import F, Q, QuerySet

from tentative.catalog.models import ClosedDay, Resource, Service, SessionRule
from tentative.core.sessions import WeeklyRule, parse_times, session_starts


def services_of(organisation_id: int) -> QuerySet[Service]:
    return (
        Service.objects.filter(organisation_id=organisation_id)
        .prefetch_related("prices", "resources")
        .order_by("id")
    )


def resources_of(organisation_id: int) -> QuerySet[Resource]:
    return Resource.objects.filter(organisation_id=organisation_id, archived_at=None).order_by(
        "name", "id"
    )


@dataclass
class Session:
    """One session of a room on the schedule: when, and the game it sells."""

    room_id: int
    service: Service
    starts_at: datetime
    ends_at: datetime


@dataclass
class RoomSchedule:
    room: Resource
    sessions: list[Session]
    closed: dict[date, str]  # day → note
    services: list[Service]  # the room sessions it delivers (for moves and new bookings)


def room_schedules(
    organisation_id: int,
    *,
    first: date,
    last: date,
    zone: ZoneInfo,
    room_ids: list[int] | None = None,
) -> list[RoomSchedule]:
    """Every room of the organisation with its sessions from `first` to `last` (days in the
    organisation's zone, both included): five queries whatever the range or the rooms."""
    rooms = list(
        Resource.objects.filter(
            organisation_id=organisation_id, kind=Resource.Kind.ROOM, archived_at=None
        ).order_by("name", "id")
    )
    if room_ids is not None:
        rooms = [r for r in rooms if r.id in room_ids]
    ids = [r.id for r in rooms]
    rules: dict[int, list[SessionRule]] = defaultdict(list)
    for rule in (
        SessionRule.objects.filter(room_id__in=ids)
        .filter(Q(starts_on=None) | Q(starts_on__lte=last), Q(ends_on=None) | Q(ends_on__gte=first))
        .select_related("service")
    ):
        rules[rule.room_id].append(rule)
    closed: dict[int, dict[date, str]] = defaultdict(dict)
    for room_id, day, note in ClosedDay.objects.filter(
        room_id__in=ids, day__gte=first, day__lte=last
    ).values_list("room_id", "day", "note"):
        closed[room_id][day] = note
    services: dict[int, list[Service]] = defaultdict(list)
    for service in (
        Service.objects.filter(
            kind=Service.Kind.ROOM_SESSION, organisation_id=organisation_id, resources__in=ids
        )
        .annotate(room_id=F("resources__id"))
        .prefetch_related("prices")
        .order_by("id")
    ):
        services[service.room_id].append(service)  # type: ignore[attr-defined]
    found = []
    for room in rooms:
        sessions: dict[datetime, Session] = {}
        for rule in rules[room.id]:
            weekly = WeeklyRule(
                weekdays=frozenset(int(d) for d in rule.weekdays),
                times=parse_times(rule.times),
                starts_on=rule.starts_on,
                ends_on=rule.ends_on,
            )
            for start in session_starts(
                [weekly], first=first, last=last, zone=zone, closed=closed[room.id]
            ):
                sessions.setdefault(
                    start, Session(room.id, rule.service, start, start + rule.service.duration)
                )
        found.append(
            RoomSchedule(
                room=room,
                sessions=[sessions[k] for k in sorted(sessions)],
                closed=closed[room.id],
                services=services[room.id],
            )
        )
    return found


def is_scheduled(schedule: RoomSchedule, starts_at: datetime) -> bool:
    return any(s.starts_at == starts_at for s in schedule.sessions)
