"""The deadline sweep and the worker at volume, on PostgreSQL.

    python bench/sweep.py                       # 100,000 lapsed options, 10,000 emails
    python bench/sweep.py --options 20000 --emails 2000 --workers 2

1. Creates a throw-away database and --options (100,000) options on one date, all past
   their deadline, in bulk SQL (bookings, lines, holds, and the pool's `taken`), the first
   --emails (10,000) of them for a customer with an address.
2. **Sweep**: times `sweeps.expire_all` releasing all of them (target: under 20 s), then
   checks in SQL that none is left holding and the pool is back to 0 taken.
3. **Fan-out**: times the worker turning the 100,000 `booking.expired` events into the
   rendered emails (only the customers with an address get one).
4. **Delivery**: starts a local SMTP server (aiosmtpd on 127.0.0.1) and --workers real
   `tentative worker --until-done` processes, and times the delivery of those emails
   (messages/s), checking that every Message-ID arrived exactly once.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta

from common import DEFAULT_SERVER, throwaway_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--options", type=int, default=100_000)
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1, help="worker processes delivering")
    parser.add_argument("--server", default=os.environ.get("TENTATIVE_PG_URL", DEFAULT_SERVER))
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    if args.options < 1 or not 0 <= args.emails <= args.options or args.workers < 1:
        parser.error("need --options >= 1, 0 <= --emails <= --options, --workers >= 1")

    with throwaway_database(args.server, keep=args.keep) as url:
        now, pool_id = _setup(args.options, args.emails)
        _sweep(now, pool_id, args.options)
        _fan_out(now, args.emails)
        _deliver(url, args.emails, args.workers)


def _setup(options: int, emails: int):  # type: ignore[no-untyped-def]
    from decimal import Decimal

    from django.db import connection, transaction
    from django.utils import timezone

    from tentative.accounts.models import Customer, Organisation
    from tentative.catalog.models import Event, EventDate, TicketType
    from tentative.inventory.models import CapacityPool

    now = timezone.now()
    started = time.perf_counter()
    org = Organisation.objects.create(name="Bench", slug="bench", time_zone="Europe/Paris")
    customer = Customer.objects.create(
        organisation=org, name="Bench customer", email="bench@example.org", language="fr"
    )
    event = Event.objects.create(organisation=org, name="Bench event")
    date = EventDate.objects.create(
        event=event, starts_at=now + timedelta(days=30), ends_at=now + timedelta(days=30, hours=2)
    )
    ticket = TicketType.objects.create(event=event, name="Seat", price=Decimal("20.00"))
    pool = CapacityPool.objects.create(
        organisation=org, event_date=date, capacity=options, taken=options
    )
    lapsed = now - timedelta(minutes=5)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO bookings_booking (organisation_id, reference, customer_id, channel,
                language, state, holds_capacity, requests_hold, deadline_shown,
                deadline_enforced, at_limit, deadline_rule, total, currency, note,
                created_at, updated_at, answers, checkout_extensions, checkout_mode)
            SELECT %(org)s, 'B' || lpad(g::text, 9, '0'),
                   CASE WHEN g <= %(emails)s THEN %(customer)s END, 'web', 'fr', 'option',
                   true, true, %(lapsed)s, %(lapsed)s, 'release', '5 days after booking',
                   20, 'EUR', '', %(created)s, %(created)s, '{}'::jsonb, 0, ''
            FROM generate_series(1, %(n)s) AS g
            """,
            {
                "org": org.id,
                "emails": emails,
                "customer": customer.id,
                "lapsed": lapsed,
                "created": lapsed - timedelta(days=5),
                "n": options,
            },
        )
        cursor.execute(
            """
            INSERT INTO bookings_bookingline (booking_id, event_date_id, ticket_type_id,
                starts_at, ends_at, quantity, unit_price, per_group)
            SELECT id, %s, %s, %s, %s, 1, 20, false FROM bookings_booking
            WHERE organisation_id = %s
            """,
            [date.id, ticket.id, date.starts_at, date.ends_at, org.id],
        )
        cursor.execute(
            """
            INSERT INTO inventory_hold (line_id, pool_id, quantity)
            SELECT l.id, %s, 1 FROM bookings_bookingline l
            JOIN bookings_booking b ON b.id = l.booking_id WHERE b.organisation_id = %s
            """,
            [pool.id, org.id],
        )
        cursor.execute("ANALYZE")
    print(f"setup: {options:,} lapsed options in {time.perf_counter() - started:.1f} s")
    return now, pool.id


def _sweep(now, pool_id: int, options: int) -> None:  # type: ignore[no-untyped-def]
    from tentative.audit.models import AuditEntry
    from tentative.bookings.models import Booking
    from tentative.inventory.capacity import reconcile
    from tentative.inventory.models import CapacityPool
    from tentative.notifications.sweeps import expire_all
    from tentative.outbox.models import OutboxMessage

    started = time.perf_counter()
    expired = expire_all(now)
    elapsed = time.perf_counter() - started
    left = Booking.objects.filter(holds_capacity=True).count()
    taken = CapacityPool.objects.get(id=pool_id).taken
    audits = AuditEntry.objects.filter(action="expire").count()
    events = OutboxMessage.objects.filter(topic="booking.expired").count()
    assert (expired, left, taken, audits, events) == (options, 0, 0, options, options), (
        expired,
        left,
        taken,
        audits,
        events,
    )
    assert reconcile() == []
    verdict = "OK" if elapsed < 20 else "SLOWER THAN THE 20 s TARGET"
    print(
        f"sweep: released {expired:,} options in {elapsed:.1f} s "
        f"({expired / elapsed:,.0f} options/s) — {verdict}"
    )


def _fan_out(now, emails: int) -> None:  # type: ignore[no-untyped-def]
    from tentative.notifications.fanout import fan_out
    from tentative.outbox.models import OutboxMessage

    started = time.perf_counter()
    events = 0
    while done := fan_out(now=now, limit=500):
        events += done
    elapsed = time.perf_counter() - started
    rendered = OutboxMessage.objects.filter(kind="email").count()
    assert rendered == emails, (rendered, emails)
    print(
        f"fan-out: {events:,} events into {rendered:,} rendered emails in {elapsed:.1f} s "
        f"({events / elapsed:,.0f} events/s)"
    )


class _Counter:
    def __init__(self) -> None:
        self.ids: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        # The Message-ID header only; parsing whole messages would make the server the
        # bottleneck of the measurement.
        for line in envelope.content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                with self.lock:
                    self.ids[line.split(b":", 1)[1].strip().decode()] += 1
                break
            if not line:
                break
        return "250 OK"


def _deliver(url: str, emails: int, workers: int) -> None:
    from aiosmtpd.controller import Controller

    from tentative.outbox.models import OutboxMessage

    with socket.socket() as probe:  # aiosmtpd's Controller cannot take port 0
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    counter = _Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    env = {
        **os.environ,
        "TENTATIVE_DATABASE_URL": url,
        "TENTATIVE_EMAIL_BACKEND": "smtp",
        "TENTATIVE_EMAIL_HOST": "127.0.0.1",
        "TENTATIVE_EMAIL_PORT": str(port),
    }
    command = [sys.executable, "-m", "tentative.cli", "worker", "--until-done", "--batch", "100"]
    command += ["--poll", "0.05", "--sweep-every", "3600"]
    try:
        started = time.perf_counter()
        processes = [
            subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL) for _ in range(workers)
        ]
        for process in processes:
            process.wait(timeout=1800)
        elapsed = time.perf_counter() - started
    finally:
        controller.stop()
    sent = OutboxMessage.objects.filter(kind="email", status="sent").count()
    assert sent == emails, (sent, emails)
    assert len(counter.ids) == emails and set(counter.ids.values()) <= {1}, "lost or doubled"
    print(
        f"delivery: {emails:,} emails to a local SMTP server by {workers} worker "
        f"process(es) in {elapsed:.1f} s ({emails / elapsed:,.0f} messages/s, "
        "start-up included)"
    )


if __name__ == "__main__":
    main()
