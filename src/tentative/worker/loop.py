"""The background worker: runs the periodic jobs, the passes (the fan-out), and delivers.

Design
------
Actions write one `OutboxMessage(kind="event")` row in the transaction of the change they
make (`outbox/events.py`); nothing leaves the system for a change that rolled back.
The worker (`tentative worker`, any number of them at once on PostgreSQL) loops over what
the apps registered in their `jobs.py` (`registry.py`):

1. **Schedules.** Periodic jobs (the deadline sweep with its reminders, the reserves'
   releases, the purge) have one `ScheduleRun` row each; a worker runs a job only after
   moving its `next_run_at` forward with a conditional UPDATE that matched exactly one row,
   so each period runs once however many workers there are.
2. **Passes: the fan-out** (notifications). Pending events are locked `FOR UPDATE SKIP
   LOCKED` (PostgreSQL; on SQLite the IMMEDIATE transaction serialises workers) and, in that
   one transaction, turned into `email` and `webhook` rows (rendered, with a stable
   `message_id` each) and marked done.
3. **Delivery.** Due email and webhook rows are *claimed with a lease*: in a short
   transaction a batch is selected `FOR UPDATE SKIP LOCKED` and given `leased_until` and a
   fresh `lease_token` by a conditional UPDATE (only rows still pending and unleased). The
   transaction commits, and the messages are delivered **outside any transaction** by the
   courier registered for their kind (`notifications/delivery.py`: no SMTP or HTTP while
   holding locks). Each attempt writes a `DeliveryAttempt` row and settles the message —
   sent; or pending again after an exponential backoff; or dead after the last try — with
   an UPDATE conditioned on the lease token, in one small transaction.

Why a lease and not a lock: delivery may take seconds, and holding a row lock (or a
transaction) across an SMTP conversation would pin a connection and block vacuum. A worker
starts no new delivery from a claim once half of its lease has passed (timeouts bound each
one), and hands the rest back; so while a worker lives, no other worker can claim what it is
delivering. If it dies (SIGKILL, a lost machine), its lease simply ends and another worker
claims the messages again: at least once, never lost. The only duplicates are the messages
that were in flight when it died (sent, not yet marked), and they carry the same Message-ID
(emails) or `Tentative-Message-Id` (webhooks), derived from `message_id`, so receivers can
drop them. Leases compare the workers' clocks: keep them in sync (NTP), with a lease far
longer than any skew (default 5 minutes).

Why not django-tasks (+ django-tasks-db): its database backend claims with SKIP LOCKED too,
but (0.13) it does not retry with backoff, does not record each attempt, has no periodic
schedules, and leaves a task whose worker was killed "running" forever. Those four are
exactly what an outbox must prove, so we keep one small table of our own instead of adding
all four around someone else's.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import close_old_connections, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from tentative.outbox.models import DeliveryAttempt, OutboxMessage
from tentative.outbox.retries import MAX_ATTEMPTS, Outcome, backoff
from tentative.worker import registry
from tentative.worker.models import ScheduleRun

log = logging.getLogger(__name__)

DELIVERABLE = [OutboxMessage.Kind.EMAIL, OutboxMessage.Kind.WEBHOOK]


@dataclass
class Config:
    batch: int = 50
    lease: timedelta = timedelta(minutes=5)
    timeout: float = 10.0  # per SMTP/HTTP operation
    idle_poll: float = 1.0  # seconds to wait when there is nothing to do
    sweep_every: timedelta = timedelta(seconds=30)
    name: str = field(
        default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
    )


# -- delivery -------------------------------------------------------------------------------


def claim(*, now: datetime, limit: int, lease: timedelta) -> tuple[uuid.UUID, list[OutboxMessage]]:
    """Lease up to `limit` due messages to a fresh token; returns the token and the rows."""
    token = uuid.uuid4()
    free = Q(leased_until__isnull=True) | Q(leased_until__lte=now)
    due = OutboxMessage.objects.filter(
        kind__in=DELIVERABLE, status=OutboxMessage.Status.PENDING, available_at__lte=now
    ).filter(free)
    if not due.exists():
        return token, []  # a plain read: no write lock taken on SQLite while idle
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.select_for_update(skip_locked=True, no_key=True)
            .filter(kind__in=DELIVERABLE, status=OutboxMessage.Status.PENDING)
            .filter(free, available_at__lte=now)
            .order_by("available_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        if not ids:
            return token, []
        # Conditional: on SQLite (no row locks) this is what makes the claim exclusive.
        OutboxMessage.objects.filter(id__in=ids, status=OutboxMessage.Status.PENDING).filter(
            free
        ).update(leased_until=now + lease, lease_token=token)
    messages = list(
        OutboxMessage.objects.filter(lease_token=token)
        .select_related("endpoint")
        .order_by("available_at", "id")
    )
    return token, messages


def settle(
    message: OutboxMessage,
    token: uuid.UUID,
    outcome: Outcome,
    *,
    started: datetime,
    finished: datetime,
    worker: str,
) -> None:
    """Record the attempt and move the message on, in one small transaction."""
    attempts = message.attempts + 1
    if outcome.ok:
        changes = {"status": OutboxMessage.Status.SENT, "sent_at": finished, "last_error": ""}
    elif outcome.permanent or attempts >= MAX_ATTEMPTS[message.kind]:
        changes = {"status": OutboxMessage.Status.DEAD, "last_error": outcome.error}
    else:
        changes = {
            "available_at": finished + backoff(attempts, message.message_id),
            "last_error": outcome.error,
        }
    if connection.vendor == "postgresql":
        _settle_in_one_statement(
            message, token, attempts, outcome, started, finished, worker, changes
        )
        return
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            message=message,
            number=attempts,
            worker=worker[:120],
            started_at=started,
            finished_at=finished,
            ok=outcome.ok,
            status_code=outcome.status_code,
            error=outcome.error,
            response=outcome.response,
        )
        # Only the holder of the lease moves the message; a worker that overran its lease
        # (and whose message was claimed again) just leaves its attempt on record.
        OutboxMessage.objects.filter(id=message.id, lease_token=token).update(
            attempts=F("attempts") + 1, leased_until=None, lease_token=None, **changes
        )


_SETTLE_SQL = """
WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)),
attempt AS (
    INSERT INTO {attempts} (message_id, number, worker, started_at, finished_at, ok,
                            status_code, error, response)
    SELECT %(id)s, %(number)s, %(worker)s, %(started)s, %(finished)s, %(ok)s, %(code)s,
           %(error)s, %(response)s
    FROM relaxed
)
UPDATE {messages} SET attempts = attempts + 1, leased_until = NULL, lease_token = NULL,
    status = COALESCE(%(status)s, status), sent_at = COALESCE(%(sent_at)s, sent_at),
    available_at = COALESCE(%(available_at)s, available_at), last_error = %(last_error)s
WHERE id = %(id)s AND lease_token = %(token)s
"""


def _settle_in_one_statement(
    message: OutboxMessage,
    token: uuid.UUID,
    attempts: int,
    outcome: Outcome,
    started: datetime,
    finished: datetime,
    worker: str,
    changes: dict[str, object],
) -> None:
    """PostgreSQL: the same as the ORM path, in one round trip (a statement is its own
    transaction) and without waiting for the WAL flush. If the database itself crashed in
    the next few hundred milliseconds, this settle could be lost and the message sent
    again, with the same Message-ID: the at-least-once promise already allows that, and it
    makes each delivery several times cheaper."""
    sql = _SETTLE_SQL.format(
        attempts=DeliveryAttempt._meta.db_table, messages=OutboxMessage._meta.db_table
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "id": message.id,
                "token": token,
                "number": attempts,
                "worker": worker[:120],
                "started": started,
                "finished": finished,
                "ok": outcome.ok,
                "code": outcome.status_code,
                "error": outcome.error,
                "response": outcome.response,
                "status": changes.get("status"),
                "sent_at": changes.get("sent_at"),
                "available_at": changes.get("available_at"),
                "last_error": changes["last_error"],
            },
        )


def release(token: uuid.UUID, ids: list[int]) -> None:
    """Hand back claimed messages that were not attempted (stopping, or lease half gone)."""
    if ids:
        OutboxMessage.objects.filter(id__in=ids, lease_token=token).update(
            leased_until=None, lease_token=None
        )


def deliver_due(
    config: Config,
    *,
    now: datetime | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Claim one batch and deliver it; returns how many were attempted."""
    token, messages = claim(now=now or timezone.now(), limit=config.batch, lease=config.lease)
    if not messages:
        return 0
    started_mono = time.monotonic()
    budget = config.lease.total_seconds() / 2
    couriers: dict[str, registry.Courier] = {}  # made at the first message of their kind
    attempted = 0
    try:
        for index, message in enumerate(messages):
            if (stop and stop.is_set()) or time.monotonic() - started_mono > budget:
                release(token, [m.id for m in messages[index:]])
                break
            started = timezone.now()
            if message.kind not in couriers:
                couriers[message.kind] = registry.couriers[message.kind](config.timeout)
            outcome = couriers[message.kind].deliver(message)
            settle(
                message,
                token,
                outcome,
                started=started,
                finished=timezone.now(),
                worker=config.name,
            )
            attempted += 1
    except BaseException:
        # Hand back what we had not tried (the one in flight stays leased: it may have gone).
        release(token, [m.id for m in messages[attempted + 1 :]])
        raise
    finally:
        for courier in couriers.values():
            courier.close()
    return attempted


# -- schedules ------------------------------------------------------------------------------


def run_due_schedules(config: Config, *, now: datetime | None = None) -> list[str]:
    """Run each periodic job whose time has come, if this worker wins its claim."""
    now = now or timezone.now()
    ran = []
    for name, job in registry.jobs.items():
        every = job.every or config.sweep_every
        row, _ = ScheduleRun.objects.get_or_create(name=name, defaults={"next_run_at": now})
        if row.next_run_at > now:
            continue  # not due: no write
        claimed = ScheduleRun.objects.filter(name=name, next_run_at__lte=now).update(
            next_run_at=now + every, last_started_at=now
        )
        if claimed != 1:
            continue
        try:
            result = job.run(now)
        except Exception as error:
            log.exception("scheduled job %s failed", name)
            result = f"failed: {type(error).__name__}: {error}"
        ScheduleRun.objects.filter(name=name).update(last_result=str(result)[:2000])
        ran.append(name)
    return ran


# -- the loop -------------------------------------------------------------------------------


def work_once(config: Config, *, now: datetime | None = None) -> int:
    """One pass: schedules, a fan-out batch, a delivery batch. Returns the work done."""
    run_due_schedules(config, now=now)
    return _passes(config, now) + deliver_due(config, now=now)


def drain(config: Config | None = None, *, now: datetime | None = None) -> int:
    """Fan out and deliver until nothing is due (tests and the benchmark)."""
    config = config or Config()
    total = 0
    while True:
        done = _passes(config, now) + deliver_due(config, now=now)
        if not done:
            return total
        total += done


def _passes(config: Config, now: datetime | None) -> int:
    return sum(work(now=now or timezone.now(), limit=config.batch) for work in registry.passes)


def unfinished() -> bool:
    """Anything still to do now, leased or not (retries due later do not count)."""
    return OutboxMessage.objects.filter(
        status=OutboxMessage.Status.PENDING, available_at__lte=timezone.now()
    ).exists()


def run(
    config: Config,
    *,
    stop: threading.Event,
    until_done: bool = False,
    parent_pid: int | None = None,
) -> None:
    """The worker's main loop, until `stop` is set (SIGTERM/SIGINT) or the work is done."""
    log.info("worker %s started", config.name)
    while not stop.is_set():
        if parent_pid is not None and os.getppid() != parent_pid:
            log.info("parent %s is gone; worker %s stops", parent_pid, config.name)
            return
        close_old_connections()
        try:
            done = work_once(config)
        except Exception:
            log.exception("worker pass failed; trying again")
            done = 0
            stop.wait(config.idle_poll)
        if done:
            continue
        if until_done and not unfinished():
            return
        stop.wait(config.idle_poll)
