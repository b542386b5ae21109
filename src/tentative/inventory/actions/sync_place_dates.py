"""Keep the dates of a room that sells places in step with its schedule (issue 14 item 1,
docs/rooms.md "Whole room, or places").

Such a room's sessions are the dates of its game's event (`Service.places_event`), each
with one capacity pool of `places_per_session` places, so groups take places with the
engine's conditional UPDATE (`taken + n <= capacity`), exactly as tickets do. This verb
makes the dates the weekly rules offer from today to `ROOM_PLACES_HORIZON_DAYS` ahead:

- a session with no date gets one, with its pool (and a quota pool per ticket type that
  has a quota, as `add_dates` does);
- a future date no rule offers any more (a closed day, a changed rule) goes if nothing was
  ever booked on it (no line, no waiting list, no reserve on it); one with bookings stays
  (staff move or cancel them);
- future dates follow the game's length, and their pool the places per session, never
  below what is taken or set aside there (`Greatest` in the one UPDATE);
- a room back to whole-room sessions loses its future dates nobody booked.

Idempotent: the game's row is locked first (`FOR NO KEY UPDATE`), then the dates are read
again, so two runs at once (the worker and a page) never make one session twice. The
worker runs it for every such room (`inventory/jobs.py`); every face that changes a room
calls it right after the change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DatabaseError
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from tentative.catalog.access import check_may_manage_catalogue
from tentative.catalog.models import EventDate, Service, TicketType
from tentative.catalog.selectors import room_schedules
from tentative.inventory.actions._catalogue import record
from tentative.inventory.models import CapacityPool, TimeClaim
from tentative.shared.actor import Actor, check_organisation
from tentative.shared.clock import now_or
from tentative.shared.errors import NotFound
from tentative.shared.transactions import action_transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlaceDates:
    added: int = 0
    removed: int = 0
    resized: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed or self.resized)


def sync_place_dates(game_id: int, *, actor: Actor, now: datetime | None = None) -> PlaceDates:
    now = now_or(now)
    check_may_manage_catalogue(actor)
    with action_transaction():
        game = (
            Service.objects.select_for_update(no_key=True)
            .select_related("organisation")
            .filter(id=game_id, kind=Service.Kind.ROOM_SESSION)
            .first()
        )
        if game is None:
            raise NotFound()
        check_organisation(actor, game.organisation_id)
        if game.places_event_id is None:
            return PlaceDates()
        future = {
            d.starts_at: d
            for d in EventDate.objects.filter(event_id=game.places_event_id, starts_at__gt=now)
        }
        zone = game.organisation.zone
        today = timezone.localtime(now, zone).date()
        last = today + timedelta(days=int(settings.ROOM_PLACES_HORIZON_DAYS))
        wanted: set[datetime] = set()
        if game.places_per_session is not None:
            rooms = list(game.resources.values_list("id", flat=True))
            for schedule in room_schedules(
                game.organisation_id, first=today, last=last, zone=zone, room_ids=rooms
            ):
                wanted.update(
                    s.starts_at
                    for s in schedule.sessions
                    if s.service.id == game.id and s.starts_at > now
                )
            # A session a group holds whole (booked before the room sold places) gets no
            # date: its places are not free.
            wanted -= _held_whole(rooms, wanted, game.duration)
        gone = [
            d.id
            for start, d in future.items()
            if start not in wanted
            and (game.places_per_session is None or start <= _end(last, zone))
        ]
        if gone:
            # Lock the dates and their pools before looking again for lines: a booking
            # taking places there meanwhile holds the pool's row (its UPDATE) and the date's
            # key (its line), so it either commits first and is seen, or waits for us. A
            # plain FOR UPDATE on purpose (no_key=False): it is the lock that conflicts
            # with the key share a new line or hold takes on the row it references.
            list(
                CapacityPool.objects.select_for_update(no_key=False).filter(event_date_id__in=gone)
            )
            list(EventDate.objects.select_for_update(no_key=False).filter(id__in=gone))
        removed = (
            EventDate.objects.filter(
                id__in=gone,
                lines__isnull=True,
                waitlist_entries__isnull=True,
                reserve_dates__isnull=True,
            )
            .delete()[1]
            .get("catalog.EventDate", 0)
            if gone
            else 0
        )
        added = _add(game, sorted(wanted - set(future)))
        resized = 0
        if game.places_per_session is not None:
            stretched = [d for d in future.values() if d.ends_at - d.starts_at != game.duration]
            for d in stretched:
                d.ends_at = d.starts_at + game.duration
            EventDate.objects.bulk_update(stretched, ["ends_at"])
            resized = (
                CapacityPool.objects.filter(
                    event_date__event_id=game.places_event_id,
                    event_date__starts_at__gt=now,
                    ticket_type=None,
                    reserve=None,
                )
                # A pool already at what it should be is left alone (one fuller than the
                # setting stays at what it holds, and is not "resized" again every run).
                .exclude(capacity=_capacity(game.places_per_session))
                .update(capacity=_capacity(game.places_per_session))
            ) + len(stretched)
        outcome = PlaceDates(added=added, removed=removed, resized=resized)
        if outcome.changed:
            record(
                game.organisation_id,
                actor=actor,
                verb="place_dates_synced",
                at=now,
                data={
                    "service": game.id,
                    "name": game.name,
                    "event": game.places_event_id,
                    "places": game.places_per_session,
                    "added": added,
                    "removed": removed,
                    "resized": resized,
                },
            )
    return outcome


def _capacity(places: int) -> Greatest:
    """The places per session, never below what the pool holds."""
    return Greatest(Value(places), F("taken") + F("set_aside"))


def _end(last: date, zone: ZoneInfo) -> datetime:
    """The end of the horizon's last day: dates beyond it are left alone (a shorter
    horizon set later does not delete what a longer one made)."""
    return datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)


def _held_whole(rooms: list[int], starts: set[datetime], length: timedelta) -> set[datetime]:
    """The starts among `starts` whose session overlaps a live claim of one of the rooms
    (a whole-room booking): one query over the whole range."""
    if not starts:
        return set()
    claims = list(
        TimeClaim.objects.filter(
            resource_id__in=rooms,
            active=True,
            starts_at__lt=max(starts) + length,
            ends_at__gt=min(starts),
        ).values_list("starts_at", "ends_at")
    )
    return {s for s in starts if any(b < s + length and e > s for b, e in claims)}


def _add(game: Service, starts: list[datetime]) -> int:
    if not starts:
        return 0
    dates = EventDate.objects.bulk_create(
        [
            EventDate(event_id=game.places_event_id, starts_at=s, ends_at=s + game.duration)
            for s in starts
        ]
    )
    quotas = list(
        TicketType.objects.filter(
            event_id=game.places_event_id, quota_per_date__isnull=False
        ).values_list("id", "quota_per_date")
    )
    pools = []
    for made in dates:
        pools.append(
            CapacityPool(
                organisation_id=game.organisation_id,
                event_date=made,
                capacity=game.places_per_session or 0,
            )
        )
        pools.extend(
            CapacityPool(
                organisation_id=game.organisation_id,
                event_date=made,
                ticket_type_id=type_id,
                capacity=quota,
            )
            for type_id, quota in quotas
        )
    CapacityPool.objects.bulk_create(pools)
    return len(dates)


def sync_all_place_dates(*, now: datetime | None = None) -> int:
    """The worker's daily run: every game that has a places event (one transaction each,
    so one room's failure does not hold the others back). How many dates changed."""
    now = now_or(now)
    changed = 0
    for game_id in Service.objects.filter(places_event__isnull=False).values_list("id", flat=True):
        try:
            outcome = sync_place_dates(game_id, actor=Actor.system("places"), now=now)
        except DatabaseError:
            # Rolled back whole (a lock timeout, say); the next run tries again.
            logger.exception("places: the dates of game %s were not synced", game_id)
            continue
        changed += outcome.added + outcome.removed + outcome.resized
    return changed
