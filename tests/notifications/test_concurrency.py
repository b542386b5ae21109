"""The worker under concurrency: workers side by side, a worker killed, a sweep racing a payment.

PostgreSQL for the multi-worker and crash tests (several processes claim with SKIP LOCKED
and leases); the sweep race runs on both databases.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from datetime import datetime, timedelta
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

from tentative.audit.models import AuditEntry
from tentative.bookings import actions
from tentative.bookings.actions import expire_lapsed
from tentative.bookings.models import Booking
from tentative.outbox.models import DeliveryAttempt, OutboxMessage
from tentative.shared.actor import Actor
from tentative.worker.loop import Config, run
from tests.concurrency.threads import race
from tests.conftest import on_postgres
from tests.factories import book, on_sale, staff

pytestmark = pytest.mark.django_db(transaction=True)


def queue_emails(org, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    """`count` ready-to-send email rows, as the fan-out would leave them."""
    now = timezone.now()
    rows = OutboxMessage.objects.bulk_create(
        OutboxMessage(
            organisation=org,
            kind=OutboxMessage.Kind.EMAIL,
            topic="booking.confirmed",
            payload={
                "to": [f"guest{n}@example.org"],
                "subject": f"Message {n}",
                "text": f"Hello {n}",
                "html": "",
                "language": "en",
            },
            available_at=now,
            created_at=now,
        )
        for n in range(count)
    )
    return [f"<{row.message_id}@localhost>" for row in rows]


@on_postgres
def test_workers_side_by_side_never_deliver_the_same_message(org, smtp):
    expected = queue_emails(org, 400)
    stop = threading.Event()
    start = threading.Barrier(3)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            start.wait(timeout=30)
            run(Config(batch=10, name=f"w{n}", idle_poll=0.05), stop=stop, until_done=True)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    stop.set()
    assert not errors and not any(t.is_alive() for t in threads)
    received = Counter(m["Message-ID"] for m in smtp.received)
    assert sorted(received) == sorted(expected)
    assert set(received.values()) == {1}, "a message was delivered twice"
    per_message = Counter(DeliveryAttempt.objects.values_list("message_id", flat=True))
    assert len(per_message) == 400 and set(per_message.values()) == {1}
    workers = set(DeliveryAttempt.objects.values_list("worker", flat=True))
    assert len(workers) >= 2, "the workers did not really run side by side"
    assert not OutboxMessage.objects.exclude(status="sent").exists()


def worker_process(smtp_port: int, data_dir: str) -> subprocess.Popen[bytes]:
    settings = connection.settings_dict
    url = "postgres://{user}@{host}{port}/{name}".format(
        user=quote(settings["USER"] or "postgres", safe=""),
        host=quote(settings["HOST"] or "", safe=""),
        port=f":{settings['PORT']}" if settings["PORT"] else "",
        name=settings["NAME"],
    )
    env = {
        **os.environ,
        "TENTATIVE_DATABASE_URL": url,
        "TENTATIVE_DATA_DIR": data_dir,
        "TENTATIVE_EMAIL_BACKEND": "smtp",
        "TENTATIVE_EMAIL_HOST": "127.0.0.1",
        "TENTATIVE_EMAIL_PORT": str(smtp_port),
    }
    env.pop("TENTATIVE_TEST_DATABASE_NAME", None)
    command = [sys.executable, "-m", "tentative.cli", "worker", "--until-done"]
    # A roomier SMTP timeout than 1 s: on a loaded machine (the fresh-machine check beside
    # other work) a 1 s one failed a few sends, whose retries then fell due after the worker
    # had stopped ("until done" counts what is due). The lease must be 4 × the timeout.
    command += ["--batch", "25", "--lease", "12", "--timeout", "3", "--poll", "0.1"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@on_postgres
def test_a_worker_killed_mid_batch_loses_nothing(org, smtp):
    expected = queue_emails(org, 1000)
    data_dir = tempfile.mkdtemp()
    smtp.hold_at = 300  # the 301st message is in flight when the worker dies
    first = worker_process(smtp.port, data_dir)
    try:
        assert smtp.held.wait(timeout=120), first.stderr.read() if first.stderr else ""
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    stranded = OutboxMessage.objects.filter(status="pending", lease_token__isnull=False).count()
    assert stranded > 0, "nothing was in the killed worker's hands"
    assert OutboxMessage.objects.filter(status="sent").count() == 300
    # The server finishes receiving the message in flight: its sender never learnt it
    # went through, so it will come again.
    smtp.hold_at = None
    smtp.gate.set()

    second = worker_process(smtp.port, data_dir)
    _, err = second.communicate(timeout=300)
    assert second.returncode == 0, err.decode()

    received = Counter(m["Message-ID"] for m in smtp.received)
    waiting = list(
        DeliveryAttempt.objects.filter(message__status="pending").values_list("error", flat=True)
    )
    assert sorted(received) == sorted(expected), f"a message was lost (failed tries: {waiting})"
    duplicates = sum(received.values()) - len(received)
    # Only what was in flight at the kill (sent, not yet marked) may come twice, and it
    # comes with the same Message-ID, which is how it is counted here.
    assert duplicates <= 1, duplicates
    assert not OutboxMessage.objects.exclude(status="sent").exists()


def test_a_sweep_racing_payments_and_extensions_has_one_outcome_per_option(org):
    """Each option is paid (or extended) just before its deadline while the sweep expires
    whatever has lapsed just after it: each must end one way, with one audit entry and one
    event, never both expired and confirmed (and `reconcile` finds no drift, autouse)."""
    date, ticket = on_sale(org, capacity=500, starts_at=timezone.now() + timedelta(days=40))
    owner, payer = staff(org), Actor.system("payment")
    postgres = connection.vendor == "postgresql"
    rounds, per_round, threads = (8, 24, 4) if postgres else (3, 12, 2)
    ends: Counter[str] = Counter()
    for _ in range(rounds):
        created = timezone.now()
        options = [book(owner, date, ticket, quantity=2, now=created) for _ in range(per_round)]
        deadline = options[0].deadline_shown
        before, later = deadline - timedelta(milliseconds=1), deadline + timedelta(days=3)

        def pay(booking_id: int, before: datetime = before) -> object:
            return actions.confirm_booking(booking_id, actor=payer, now=before)

        def extend(booking_id: int, before: datetime = before, later: datetime = later) -> object:
            return actions.extend_booking(booking_id, actor=owner, until=later, now=before)

        tasks = []
        for n, option in enumerate(options):
            verb = pay if n % 2 else extend
            tasks.append((verb.__name__, lambda b=option.id, verb=verb: verb(b)))
            if n % 3 == 0:
                # One lapsed option per sweep, lowest id first: most likely the one another
                # thread is paying or extending at this very moment.
                tasks.append(("sweep", lambda at=deadline: expire_lapsed(now=at, limit=1)))
        outcome = race(tasks, threads=threads)
        assert not outcome.unexpected, outcome.unexpected
        assert set(outcome.counts) <= {"ok:pay", "ok:extend", "ok:sweep", "IllegalTransition"}
        for option in options:
            ends[check_one_outcome(option.id, later)] += 1
    # Over all rounds both sides won some: the race was real.
    assert ends["expire"] and ends["confirm"] + ends["extend"], ends


def check_one_outcome(booking_id: int, extended_to: datetime) -> str:
    booking = Booking.objects.get(id=booking_id)
    decided = list(
        AuditEntry.objects.filter(booking_id=booking_id)
        .exclude(action="create")
        .values_list("action", flat=True)
    )
    topics = list(
        OutboxMessage.objects.filter(booking_id=booking_id, kind="event")
        .exclude(topic="booking.created")
        .values_list("topic", flat=True)
    )
    expected = {
        "confirm": ("confirmed", True, "booking.confirmed"),
        "extend": ("option", True, "booking.extended"),
        "expire": ("expired", False, "booking.expired"),
    }
    assert len(decided) == 1, (booking.reference, decided)
    state, holds, topic = expected[decided[0]]
    assert (booking.state, booking.holds_capacity, topics) == (state, holds, [topic])
    if decided[0] == "extend":
        assert booking.deadline_enforced == extended_to
    return decided[0]
