"""What every reserve action shares: rights, the locked reserve, input checks, the audit entry.

Lock order for reserve changes: the reserve row, then pools (ascending id), then the
reserve's per-date rows. Booking, cancelling and the scheduled release never lock a reserve
row, and take pools before per-date rows, so no two of them can wait on each other.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from django.utils.translation import gettext_lazy as _

from tentative.accounts.models import StaffMembership
from tentative.audit.models import AuditEntry
from tentative.audit.trail import new_entry
from tentative.catalog.models import EventDate, TicketType
from tentative.core.deadlines import add_calendar_days
from tentative.inventory.access import access_reserve, check_may_manage
from tentative.inventory.errors import ReserveArchived
from tentative.inventory.models import Reserve, ReserveDate
from tentative.shared.actor import Actor
from tentative.shared.errors import InvalidInput, NotFound

MAX_PLACES = 1_000_000
NAME_REQUIRED = _("A reserve needs a name of at most 200 characters.")
BAD_CHOICE = _("“%(value)s” is not a valid %(field)s.")
NOT_STAFF = _("Selected users must be staff members of this organisation.")
NEGATIVE = _("The number of places must be between 0 and %(max)s.")


def lock_reserve(reserve_id: int, *, actor: Actor, live: bool = True) -> Reserve:
    """Rights first (managers only), then the reserve row, locked, in the actor's scope."""
    check_may_manage(actor)
    reserve = access_reserve(actor, reserve_id, lock=True)
    if live and reserve.archived_at is not None:
        raise ReserveArchived(name=reserve.name)
    return reserve


def audit_entry(
    reserve: Reserve,
    *,
    actor: Actor,
    verb: str,
    at: datetime,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """An unsaved audit entry for a reserve change: no booking, the reserve in `data`."""
    return new_entry(
        reserve.organisation_id,
        actor=actor,
        action=f"reserve.{verb}",
        at=at,
        data={"reserve": reserve.id, "name": reserve.name, **(data or {})},
    )


def record(reserve: Reserve, **kwargs: Any) -> AuditEntry:
    entry = audit_entry(reserve, **kwargs)
    entry.save()
    return entry


def clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 200 or "\x00" in name:
        raise InvalidInput(NAME_REQUIRED)
    return name


def choice(enum: type[Enum], value: Any, field: str) -> str:
    try:
        return str(enum(value).value)
    except ValueError:
        raise InvalidInput(BAD_CHOICE, value=value, field=field) from None


def members_of(organisation_id: int, membership_ids: list[int]) -> list[StaffMembership]:
    wanted = set(membership_ids)
    found = list(StaffMembership.objects.filter(id__in=wanted, organisation_id=organisation_id))
    if len(found) != len(wanted):
        raise InvalidInput(NOT_STAFF)
    return found


def places(quantity: int) -> int:
    if not isinstance(quantity, int) or not 0 <= quantity <= MAX_PLACES:
        raise InvalidInput(NEGATIVE, max=MAX_PLACES)
    return quantity


def offer(
    reserve: Reserve, event_date_id: int, ticket_type_id: int
) -> tuple[EventDate, TicketType]:
    """A date and a ticket type of the reserve's organisation, of the same event."""
    date = (
        EventDate.objects.select_related("event")
        .filter(id=event_date_id, event__organisation_id=reserve.organisation_id)
        .first()
    )
    ticket_type = TicketType.objects.filter(id=ticket_type_id).first()
    if date is None or ticket_type is None or ticket_type.event_id != date.event_id:
        raise NotFound()
    return date, ticket_type


def release_fields(reserve: Reserve, release_at: datetime) -> dict[str, Any]:
    """A (re)scheduled release: the notice goes out the calendar day before, at the same
    wall-clock time in the organisation's zone; a new schedule can fire again."""
    return {
        "release_at": release_at,
        "notice_at": add_calendar_days(release_at, -1, reserve.organisation.zone),
        "notice_sent_at": None,
        "released_at": None,
    }


def reserve_date(reserve: Reserve, date: EventDate, *, now: datetime) -> ReserveDate:
    """The reserve's row for this date, created with the reserve's default release time
    (unless that time has already passed: places set aside after the cut-off stay)."""
    row, created = ReserveDate.objects.get_or_create(reserve=reserve, event_date=date)
    if (
        created
        and reserve.release_before is not None
        and date.starts_at - reserve.release_before > now
    ):
        fields = release_fields(reserve, date.starts_at - reserve.release_before)
        ReserveDate.objects.filter(id=row.id).update(**fields)
        for name, value in fields.items():
            setattr(row, name, value)
    return row
