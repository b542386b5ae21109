"""The deadline sweep, run by the worker on a schedule (every 30 s by default).

1. **Expire what has lapsed**, in batches: options under the strict policy at their
   deadline, options under the flexible policy at the end of their grace, quotes past their
   validity, requests nobody decided before the date. All are "tentative, past the enforced
   limit, action at the limit: release" (`bookings.actions.expire_lapsed`), so one set-based
   action does all of them (`expire_batch`, its SQL form for volume on PostgreSQL). Rows
   another transaction holds (a customer paying right now) are skipped, not waited for,
   and looked at again next time.
2. **Flag overdue options** that are kept (flexible policy, or "review" at the limit): once
   per deadline, a `NotificationLog` row and a `booking.overdue` event (staff are told).
3. **Warn staff** before an option's deadline or a request's decision deadline
   (`NotificationSettings.staff_warning`, 24 h by default): a `booking.expiring` event,
   once per deadline (for a request, the email goes to the staff member it asks for).
4. **Remind customers** on the organisation's schedule (7 days, 2 days, 6 hours before by
   default), once per reminder and deadline, never for a reminder whose time had already
   passed when the deadline was set (`core.deadlines.reminders_due`). A sweep that was down
   for a while sends only the latest reminder due, not three at once.

An option's deadline is set when it is created, approved, converted, reinstated or extended:
each of these saves the booking, so `updated_at` is when the current deadline was set.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from tentative.accounts.models import DEFAULT_REMINDERS
from tentative.bookings.actions.expire import lapsed_bookings
from tentative.bookings.actions.expire_batch import expire_lapsed_batch
from tentative.bookings.models import Booking
from tentative.core.deadlines import reminders_due
from tentative.core.states import State
from tentative.notifications.models import NotificationLog, NotificationSettings
from tentative.outbox import events as outbox
from tentative.outbox import topics
from tentative.shared.actor import Actor

EXPIRE_BATCH = 5000
FLAG_BATCH = 500
DEFAULT_STAFF_WARNING = timedelta(hours=24)


def sweep(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "expired": expire_all(now),
        "overdue": flag_overdue(now),
        "staff_warned": warn_staff(now),
        "reminded": remind(now),
    }


def expire_all(now: datetime, *, batch: int = EXPIRE_BATCH) -> int:
    """Expire every lapsed booking, one transaction per batch (short locks, bounded WAL)."""
    total = 0
    while True:
        expired = expire_lapsed_batch(now=now, limit=batch)
        total += len(expired)
        if len(expired) < batch:
            return total


def flag_overdue(now: datetime) -> int:
    logged = NotificationLog.objects.filter(
        booking=OuterRef("pk"),
        kind=NotificationLog.Kind.OVERDUE,
        deadline=OuterRef("deadline_shown"),
    )
    candidates = (
        Booking.objects.filter(state=State.OPTION.value, deadline_shown__lte=now)
        .exclude(lapsed_bookings(now))
        .filter(~Exists(logged))
    )
    total = 0
    while True:
        done = _log_and_emit(candidates, NotificationLog.Kind.OVERDUE, topics.BOOKING_OVERDUE, now)
        total += done
        if done < FLAG_BATCH:
            return total


def warn_staff(now: datetime) -> int:
    settings = _settings()
    horizon = max([s.staff_warning for s in settings.values()] + [DEFAULT_STAFF_WARNING])
    due: list[Entry] = []
    for booking in _upcoming(now, horizon):
        warning = _warning(settings, booking.organisation_id)
        times = reminders_due(booking.deadline_shown, (warning,), created_at=booking.updated_at)
        if any(t <= now for t in times):
            due.append((booking, 0, True))
    return _emit_once(due, NotificationLog.Kind.EXPIRING, topics.BOOKING_EXPIRING, now)


def remind(now: datetime) -> int:
    settings = _settings()
    schedules = [s.schedule for s in settings.values()] + [DEFAULT_REMINDERS]
    horizon = max((max(s) for s in schedules if s), default=timedelta(0))
    found = _upcoming(now, horizon)
    sent = defaultdict(set)
    for booking_id, deadline, offset in NotificationLog.objects.filter(
        booking__in=[b.id for b in found], kind=NotificationLog.Kind.REMINDER
    ).values_list("booking_id", "deadline", "offset"):
        sent[(booking_id, deadline)].add(offset)
    due: list[Entry] = []
    for booking in found:
        shown = booking.deadline_shown
        schedule = _schedule(settings, booking.organisation_id)
        times = reminders_due(shown, schedule, created_at=booking.updated_at)
        offsets = [int((shown - t).total_seconds()) for t in times if t <= now]
        missing = [o for o in offsets if o not in sent[(booking.id, shown)]]
        if missing:
            # Only the one closest to the deadline goes out; older ones are logged as done.
            due.extend((booking, o, o == min(missing)) for o in missing)
    return _emit_once(due, NotificationLog.Kind.REMINDER, topics.BOOKING_REMINDER, now)


# (booking, offset in seconds, whether to send an event for it)
Entry = tuple[Booking, int, bool]


def _upcoming(now: datetime, horizon: timedelta) -> list[Booking]:
    """Options before their deadline, and requests before their decision deadline (issue
    13: staff are reminded before a request expires). A request shows the customer no
    deadline, only its enforced one: it stands in as the deadline read here (not saved)."""
    window = {"gt": now, "lte": now + horizon}
    found = list(
        Booking.objects.filter(
            Q(state=State.OPTION.value, **{f"deadline_shown__{k}": v for k, v in window.items()})
            | Q(
                state=State.REQUEST.value,
                **{f"deadline_enforced__{k}": v for k, v in window.items()},
            )
        ).only(
            "id",
            "organisation_id",
            "reference",
            "state",
            "deadline_shown",
            "deadline_enforced",
            "updated_at",
        )
    )
    for booking in found:
        if booking.state == State.REQUEST.value:
            booking.deadline_shown = booking.deadline_enforced
    return found


def _settings() -> dict[int, NotificationSettings]:
    return {s.organisation_id: s for s in NotificationSettings.objects.all()}


def _schedule(settings: dict[int, NotificationSettings], org_id: int) -> tuple[timedelta, ...]:
    own = settings.get(org_id)
    return own.schedule if own is not None else DEFAULT_REMINDERS


def _warning(settings: dict[int, NotificationSettings], org_id: int) -> timedelta:
    own = settings.get(org_id)
    return own.staff_warning if own is not None else DEFAULT_STAFF_WARNING


def _log_and_emit(candidates: Any, kind: str, topic: str, now: datetime) -> int:
    """Lock a batch of bookings (skipping busy ones), log them and write their events."""
    with transaction.atomic():
        rows = list(
            candidates.select_for_update(skip_locked=True, no_key=True).order_by("id")[:FLAG_BATCH]
        )
        _write([(b, 0, True) for b in rows], kind, topic, now)
    return len(rows)


def _emit_once(due: list[Entry], kind: str, topic: str, now: datetime) -> int:
    """Log each entry once and write the events; returns the number of events.

    The unique constraint on the log is the guard: if another sweep logged some of a batch
    first, the batch is redone booking by booking, skipping those.
    """
    emitted = 0
    for start in range(0, len(due), FLAG_BATCH):
        chunk = due[start : start + FLAG_BATCH]
        try:
            with transaction.atomic():
                _write(chunk, kind, topic, now)
            emitted += sum(send for _, _, send in chunk)
        except IntegrityError:
            per_booking: dict[int, list[Entry]] = defaultdict(list)
            for entry in chunk:
                per_booking[entry[0].id].append(entry)
            for entries in per_booking.values():
                try:
                    with transaction.atomic():
                        _write(entries, kind, topic, now)
                    emitted += sum(send for _, _, send in entries)
                except IntegrityError:
                    continue
    return emitted


def _write(entries: list[Entry], kind: str, topic: str, now: datetime) -> None:
    if not entries:
        return
    NotificationLog.objects.bulk_create(
        NotificationLog(
            organisation_id=b.organisation_id,
            booking=b,
            kind=kind,
            deadline=b.deadline_shown,
            offset=offset,
            created_at=now,
        )
        for b, offset, _send in entries
    )
    actor = Actor.system("deadline")
    events = []
    for b, offset, send in entries:
        if send:
            data: dict[str, Any] = {"deadline": b.deadline_shown.isoformat()}
            if kind == NotificationLog.Kind.REMINDER:
                data["before_seconds"] = offset
            events.append(outbox.event_for(b, topic, actor=actor, at=now, data=data))
    outbox.emit_many(events)
