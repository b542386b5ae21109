"""Create a room with its game (seed 004): the room, the session it sells (length, reset
time, players, option days), its price categories and its weekly session times."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from tentative.catalog.access import check_may_manage_catalogue
from tentative.catalog.actions._common import record, validated
from tentative.catalog.errors import InvalidTerms
from tentative.catalog.models import Resource, Service, ServicePrice, SessionRule
from tentative.core.sessions import format_times, parse_times
from tentative.shared.actor import Actor, check_organisation
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction

NO_PRICE = _("A room needs at least one price category.")
NO_DAYS = _("Choose at least one day of the week.")
BAD_TIMES = _("Give start times as HH:MM separated by spaces, for example 10:00 11:30 14:00.")
TOO_CLOSE = _(
    "Sessions at %(first)s and %(second)s overlap: a session and its reset take %(minutes)s "
    "minutes."
)


@dataclass(frozen=True)
class Category:
    name: str
    price: Decimal
    per_group: bool = False


@dataclass(frozen=True)
class Schedule:
    weekdays: frozenset[int]
    times: str  # "10:00 11:30 14:00"
    starts_on: date | None = None
    ends_on: date | None = None


@dataclass(frozen=True)
class RoomSpec:
    name: str
    game: str
    duration: timedelta
    reset: timedelta
    min_players: int
    max_players: int
    categories: tuple[Category, ...]
    schedules: tuple[Schedule, ...] = field(default=())
    option_days: int = 7
    description: str = ""


def create_room(
    organisation_id: int, *, actor: Actor, spec: RoomSpec, now: datetime | None = None
) -> Resource:
    now = now_or(now)
    check_may_manage_catalogue(actor)
    check_organisation(actor, organisation_id)
    room = Resource(organisation_id=organisation_id, kind=Resource.Kind.ROOM, name=spec.name)
    room.name = room.name.strip()
    validated(room, exclude=["organisation", "membership"])
    game = Service(
        organisation_id=organisation_id,
        kind=Service.Kind.ROOM_SESSION,
        name=(spec.game or spec.name).strip(),
        description=spec.description,
        duration=spec.duration,
        buffer_after=spec.reset,
        min_participants=spec.min_players,
        max_participants=spec.max_players,
        deadline_days_after_booking=spec.option_days,
    )
    validated(game, exclude=["organisation"])
    if spec.duration <= timedelta(0):
        raise InvalidTerms({"duration": [str(_("A session lasts at least a minute."))]})
    if spec.reset < timedelta(0):
        raise InvalidTerms({"reset": [str(_("The reset time cannot be negative."))]})
    if not 1 <= spec.min_players <= spec.max_players:
        raise InvalidTerms(
            {"max_players": [str(_("At least one player, and the most at least the least."))]}
        )
    if not spec.categories:
        raise InvalidTerms({"categories": [str(NO_PRICE)]})
    rules = [_rule(schedule, spec.duration + spec.reset) for schedule in spec.schedules]
    with action_transaction():
        room.save()
        game.save()
        game.resources.add(room)
        prices = ServicePrice.objects.bulk_create(
            [
                ServicePrice(
                    service=game, name=c.name.strip(), price=c.price, per_group=c.per_group
                )
                for c in spec.categories
            ]
        )
        for rule in rules:
            rule.room, rule.service = room, game
        SessionRule.objects.bulk_create(rules)
        record(
            organisation_id,
            actor=actor,
            verb="room_created",
            at=now,
            data={
                "room": room.id,
                "name": room.name,
                "service": game.id,
                "prices": [p.id for p in prices],
                "rules": [f"{r.weekdays} {r.times}" for r in rules],
            },
        )
    return room


def _rule(schedule: Schedule, length: timedelta) -> SessionRule:
    """A schedule as a rule, refused when two of its sessions would overlap."""
    if not schedule.weekdays or not schedule.weekdays <= set(range(7)):
        raise InvalidTerms({"weekdays": [str(NO_DAYS)]})
    try:
        times = parse_times(schedule.times)
    except ValueError:
        raise InvalidTerms({"times": [str(BAD_TIMES)]}) from None
    if not times:
        raise InvalidTerms({"times": [str(BAD_TIMES)]})
    minutes = int(length.total_seconds() // 60)
    for first, second in itertools.pairwise(times):
        gap = (second.hour * 60 + second.minute) - (first.hour * 60 + first.minute)
        if gap < minutes:
            raise InvalidTerms(
                {
                    "times": [
                        str(TOO_CLOSE)
                        % {
                            "first": first.strftime("%H:%M"),
                            "second": second.strftime("%H:%M"),
                            "minutes": minutes,
                        }
                    ]
                }
            )
    if schedule.starts_on and schedule.ends_on and schedule.ends_on < schedule.starts_on:
        raise InvalidTerms({"ends_on": [str(_("The last day comes before the first."))]})
    return SessionRule(
        weekdays="".join(str(d) for d in sorted(schedule.weekdays)),
        times=format_times(times),
        starts_on=schedule.starts_on,
        ends_on=schedule.ends_on,
    )
