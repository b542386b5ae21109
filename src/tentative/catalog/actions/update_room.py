"""Change a room and its game (seed 004): name, session length, reset time, players, how
long an option holds, and its weekly session times (the rules are replaced as a whole).

Checked as at creation (`create_room`: two sessions of one rule closer than the game plus
its reset are refused, with the field). `places`: the room sells that many places per
session (its game's event and ticket types are made here; the dates, their pools and the
capacity are `inventory.actions.sync_place_dates`', which every face calls right after and
the worker runs daily). Bookings already made keep their time and price:
a session no rule offers any more stays on the planning as a session of its own, and staff
move it if they wish; the prices of sold lines were copied at booking.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _

from tentative.catalog.access import check_may_manage_catalogue
from tentative.catalog.actions._common import record, validated
from tentative.catalog.actions._places import ensure_places_event, sync_ticket_types
from tentative.catalog.actions.create_room import Schedule, _rule
from tentative.catalog.errors import InvalidTerms
from tentative.catalog.models import Resource, Service, SessionRule
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.errors import NotFound
from tentative.shared.transactions import action_transaction


@dataclass(frozen=True)
class RoomChanges:
    name: str
    game: str
    duration: timedelta
    reset: timedelta
    min_players: int
    max_players: int
    option_days: int
    schedules: tuple[Schedule, ...] = field(default=())
    # Issue 14 item 1: sell this many places per session (groups share the room); None:
    # each session is booked whole by one group.
    places: int | None = None


PLACES_RANGE = _("Places per session: a whole number from 1 to %(max)s.")
SWITCH_WITH_BOOKINGS = _(
    "%(count)s booking(s) to come were made the other way (whole sessions or places): "
    "move or cancel them first, then change how this room sells."
)
# A booking's states that still want their session (the bookings app's LIVE, as strings:
# the catalogue sits below it and reads its lines only through their relation).
_LIVE = ("quote", "request", "option", "confirmed")
MAX_PLACES = 1000


def update_room(
    room_id: int,
    *,
    actor: Actor,
    changes: RoomChanges,
    keep: frozenset[str] = frozenset(),
    now: datetime | None = None,
) -> Resource:
    """`keep`: the fields of `changes` to leave as they are (a partial change, the API's),
    read under the room's lock so that two partial changes at once never undo each other."""
    now = now_or(now)
    check_may_manage_catalogue(actor)
    _check(changes)
    with action_transaction():
        room = (
            Resource.objects.select_for_update(no_key=True)
            .filter(id=room_id, kind=Resource.Kind.ROOM, organisation_id=actor.organisation_id)
            .first()
        )
        if room is None:
            raise NotFound()
        game = (
            Service.objects.select_for_update(no_key=True)
            .filter(resources=room, kind=Service.Kind.ROOM_SESSION)
            .first()
        )
        if game is None:
            raise NotFound()
        if keep:
            changes = replace(
                changes, **{k: v for k, v in _current(room, game).items() if k in keep}
            )
            _check(changes)
        rules = [_rule(s, changes.duration + changes.reset) for s in changes.schedules]
        room.name = changes.name.strip()
        validated(room, exclude=["organisation", "membership"])
        game.name = (changes.game or changes.name).strip()
        game.duration = changes.duration
        game.buffer_after = changes.reset
        game.min_participants = changes.min_players
        game.max_participants = changes.max_players
        game.deadline_days_after_booking = changes.option_days
        if bool(game.places_per_session) != (changes.places is not None):
            _refuse_switch_with_bookings_to_come(room, game, now=now)
        game.places_per_session = changes.places
        validated(game, exclude=["organisation", "places_event"])
        if changes.places is not None:
            ensure_places_event(game)
        room.save(update_fields=["name"])
        game.save()
        sync_ticket_types(game)
        SessionRule.objects.filter(room=room).delete()
        for rule in rules:
            rule.room, rule.service = room, game
        SessionRule.objects.bulk_create(rules)
        record(
            room.organisation_id,
            actor=actor,
            verb="room_updated",
            at=now,
            data={
                "room": room.id,
                "name": room.name,
                "rules": [f"{r.weekdays} {r.times}" for r in rules],
                "places": changes.places,
            },
        )
    return room


def _refuse_switch_with_bookings_to_come(room: Resource, game: Service, *, now: datetime) -> None:
    """A room switched between whole sessions and places while bookings of the other kind
    are to come would hold one session twice: a group booked whole and a date with all its
    places free, or places sold and a whole-room slot that sees no claim. Staff move or
    cancel those first. Called under the game's lock, which every booking path of the
    room's sessions reads its mode under (`sync_place_dates`, `book_session`)."""
    whole = room.lines.filter(service=game, starts_at__gt=now, booking__state__in=_LIVE).values(
        "booking_id"
    )
    places = (
        game.places_event.dates.filter(starts_at__gt=now, lines__booking__state__in=_LIVE).values(
            "lines__booking_id"
        )
        if game.places_event_id is not None
        else None
    )
    count = len({row["booking_id"] for row in whole}) if not game.places_per_session else 0
    if game.places_per_session and places is not None:
        count = len({row["lines__booking_id"] for row in places})
    if count:
        raise InvalidTerms({"places": [str(SWITCH_WITH_BOOKINGS) % {"count": count}]})


def _check(changes: RoomChanges) -> None:
    if changes.duration <= timedelta(0):
        raise InvalidTerms({"duration": [str(_("A session lasts at least a minute."))]})
    if changes.reset < timedelta(0):
        raise InvalidTerms({"reset": [str(_("The reset time cannot be negative."))]})
    if not 1 <= changes.min_players <= changes.max_players:
        raise InvalidTerms(
            {"max_players": [str(_("At least one player, and the most at least the least."))]}
        )
    if changes.places is not None and not 1 <= changes.places <= MAX_PLACES:
        raise InvalidTerms({"places": [str(PLACES_RANGE) % {"max": MAX_PLACES}]})


def _current(room: Resource, game: Service) -> dict[str, object]:
    return {
        "name": room.name,
        "game": game.name,
        "duration": game.duration,
        "reset": game.buffer_after,
        "min_players": game.min_participants,
        "max_players": game.max_participants,
        "option_days": game.deadline_days_after_booking or 0,
        "schedules": tuple(
            Schedule(frozenset(int(d) for d in r.weekdays), r.times, r.starts_on, r.ends_on)
            for r in SessionRule.objects.filter(room=room).order_by("id")
        ),
        "places": game.places_per_session,
    }
