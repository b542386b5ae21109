"""Close a room for a day (a holiday, maintenance): no session is offered that day.

Bookings already made that day stay as they are (staff move or cancel them: closing must
not silently cancel a paid session); the planning shows them on the closed day."""

from __future__ import annotations

from datetime import date, datetime

from tentative.catalog.access import check_may_manage_catalogue
from tentative.catalog.actions._common import record
from tentative.catalog.models import ClosedDay, Resource
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.errors import NotFound
from tentative.shared.transactions import action_transaction


def close_room_day(
    room_id: int,
    day: date,
    *,
    actor: Actor,
    note: str = "",
    reopen: bool = False,
    now: datetime | None = None,
) -> ClosedDay | None:
    """Close the room that day (again: nothing changes), or reopen it with `reopen`."""
    now = now_or(now)
    check_may_manage_catalogue(actor)
    with action_transaction():
        room = (
            Resource.objects.select_for_update(no_key=True)
            .filter(id=room_id, kind=Resource.Kind.ROOM, organisation_id=actor.organisation_id)
            .first()
        )
        if room is None:
            raise NotFound()
        if reopen:
            ClosedDay.objects.filter(room=room, day=day).delete()
            closed = None
        else:
            closed, _created = ClosedDay.objects.get_or_create(
                room=room, day=day, defaults={"note": note[:200]}
            )
        record(
            room.organisation_id,
            actor=actor,
            verb="room_reopened" if reopen else "room_closed",
            at=now,
            data={"room": room.id, "day": day.isoformat(), "note": note[:200]},
        )
    return closed
