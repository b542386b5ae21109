"""Schedule (or cancel) the automatic release of a reserve's places on one date: places not
booked by `release_at` return to general sale (`release_due_reserves`), and the reserve's
users get a notice the calendar day before."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from tentative.catalog.models import EventDate
from tentative.inventory.actions._common import lock_reserve, record, release_fields
from tentative.inventory.models import ReserveDate
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.errors import InvalidInput, NotFound
from tentative.shared.transactions import action_transaction

IN_THE_PAST = _("The release time must be in the future.")
AFTER_START = _("The release time must be before the date starts.")


def schedule_release(
    reserve_id: int,
    *,
    actor: Actor,
    event_date_id: int,
    release_at: datetime | None,
    now: datetime | None = None,
) -> ReserveDate:
    """`release_at=None` cancels the scheduled release of that date."""
    now = now_or(now)
    with action_transaction():
        reserve = lock_reserve(reserve_id, actor=actor)
        date = EventDate.objects.filter(
            id=event_date_id, event__organisation_id=reserve.organisation_id
        ).first()
        if date is None:
            raise NotFound()
        if release_at is not None:
            if release_at <= now:
                raise InvalidInput(IN_THE_PAST)
            if release_at >= date.starts_at:
                raise InvalidInput(AFTER_START)
        row, _ = ReserveDate.objects.get_or_create(reserve=reserve, event_date=date)
        row = ReserveDate.objects.select_for_update(no_key=True).get(id=row.id)
        previous = row.release_at
        if previous == release_at and row.released_at is None:
            return row
        fields = (
            release_fields(reserve, release_at)
            if release_at is not None
            else {"release_at": None, "notice_at": None, "notice_sent_at": None}
        )
        ReserveDate.objects.filter(id=row.id).update(**fields)
        for field, value in fields.items():
            setattr(row, field, value)
        record(
            reserve,
            actor=actor,
            verb="schedule",
            at=now,
            data={
                "event_date": date.id,
                "release_at": release_at.isoformat() if release_at else None,
                "previous": previous.isoformat() if previous else None,
            },
        )
    return row
