"""The bulk decision on pending requests and the pending orders page, on PostgreSQL.

    python bench/bulk_accept.py                   # 500 requests x 5 rounds; 50,000 bookings
    python bench/bulk_accept.py --requests 1000 --bookings 100000

1. Creates a throw-away database and an organisation with --bookings (50,000) bookings in
   bulk SQL (lines and holds too): one in ten a pending request, the rest confirmed, over
   20 events of 5 dates each, for 1,000 customers.
2. **Bulk accept**: --rounds times, --requests (500) new requests on a date of their own
   with room for all of them, accepted by one `decide_requests` call; prints the seconds of
   each call and their median, and checks in SQL that every one is confirmed, holding,
   with one audit entry and one outbox event, and the pool's `taken` equal to the count.
3. **Pending page**: GET /staff/pending/ (and filtered by an event) 20 times each through
   Django's test client, in process: the median server time per page and its query count
   (the count is pinned by tests/backoffice/test_pending_page.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import timedelta
from decimal import Decimal

from common import DEFAULT_SERVER, organisation, throwaway_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--bookings", type=int, default=50_000)
    parser.add_argument("--server", default=os.environ.get("TENTATIVE_PG_URL", DEFAULT_SERVER))
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    if args.requests < 1 or args.rounds < 1 or args.bookings < 10:
        parser.error("need --requests >= 1, --rounds >= 1, --bookings >= 10")
    with throwaway_database(args.server, keep=args.keep):
        org, owner = organisation()
        _bookings(org, args.bookings)
        _bulk_accept(org, owner, args.requests, args.rounds)
        _pending_page(org, owner)


def _bookings(org, total: int) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection, transaction
    from django.utils import timezone

    from tentative.catalog.models import Event, EventDate, TicketType
    from tentative.inventory.models import CapacityPool

    started = time.perf_counter()
    now = timezone.now()
    dates, pools, types = [], [], []
    for e in range(20):
        event = Event.objects.create(organisation=org, name=f"Event {e:02d}")
        ticket = TicketType.objects.create(
            event=event,
            name="On request",
            price=Decimal("20.00"),
            requires_approval=True,
            requests_hold_capacity=False,
        )
        for d in range(5):
            starts = now + timedelta(days=20 + e * 5 + d, hours=20)
            date = EventDate.objects.create(
                event=event, starts_at=starts, ends_at=starts + timedelta(hours=2)
            )
            pool = CapacityPool.objects.create(
                organisation=org, event_date=date, capacity=total, taken=0
            )
            dates.append(date)
            pools.append(pool)
            types.append(ticket)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO accounts_customer (organisation_id, kind, name, email, phone, language)
            SELECT %s, 'person', 'Customer ' || g, 'c' || g || '@example.org', '', 'fr'
            FROM generate_series(1, 1000) AS g
            """,
            [org.id],
        )
        cursor.execute(
            """
            INSERT INTO bookings_booking (organisation_id, reference, customer_id, channel,
                language, state, holds_capacity, requests_hold, deadline_shown,
                deadline_enforced, at_limit, deadline_rule, total, currency, note,
                created_at, updated_at, answers, checkout_extensions, checkout_mode)
            SELECT %(org)s, 'P' || lpad(g::text, 9, '0'),
                   (SELECT min(id) FROM accounts_customer WHERE organisation_id = %(org)s)
                     + g %% 1000,
                   'web', 'fr',
                   CASE WHEN g %% 10 = 0 THEN 'request' ELSE 'confirmed' END,
                   g %% 10 <> 0, false, NULL,
                   CASE WHEN g %% 10 = 0 THEN %(limit)s END, 'release', '', 20, 'EUR', '',
                   %(now)s - (g || ' seconds')::interval, %(now)s, '{}'::jsonb, 0, ''
            FROM generate_series(1, %(n)s) AS g
            """,
            {"org": org.id, "n": total, "now": now, "limit": now + timedelta(days=15)},
        )
        date_ids = [d.id for d in dates]
        type_ids = [t.id for t in types]
        starts = [d.starts_at for d in dates]
        cursor.execute(
            """
            INSERT INTO bookings_bookingline (booking_id, event_date_id, ticket_type_id,
                starts_at, ends_at, quantity, unit_price, per_group)
            SELECT b.id, (%(dates)s::bigint[])[1 + b.id %% 100],
                   (%(types)s::bigint[])[1 + b.id %% 100],
                   (%(starts)s::timestamptz[])[1 + b.id %% 100],
                   (%(starts)s::timestamptz[])[1 + b.id %% 100] + interval '2 hours', 1, 20, false
            FROM bookings_booking b WHERE b.organisation_id = %(org)s
            """,
            {"dates": date_ids, "types": type_ids, "starts": starts, "org": org.id},
        )
        cursor.execute(
            """
            INSERT INTO inventory_hold (line_id, pool_id, quantity)
            SELECT l.id, p.id, 1 FROM bookings_bookingline l
            JOIN inventory_capacitypool p ON p.event_date_id = l.event_date_id
              AND p.ticket_type_id IS NULL
            """
        )
        cursor.execute(
            """
            UPDATE inventory_capacitypool p SET taken = (
                SELECT count(*) FROM inventory_hold h JOIN bookings_bookingline l
                  ON l.id = h.line_id JOIN bookings_booking b ON b.id = l.booking_id
                WHERE h.pool_id = p.id AND b.holds_capacity)
            """
        )
        cursor.execute("ANALYZE")
    print(
        f"setup: {total:,} bookings ({total // 10:,} pending requests) in "
        f"{time.perf_counter() - started:.1f} s"
    )


def _bulk_accept(org, member, requests: int, rounds: int) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection

    from tentative.bookings import actions
    from tentative.bookings.actions import Decision, Outcome
    from tentative.catalog.models import Event, EventDate, TicketType
    from tentative.core.states import State
    from tentative.inventory.models import CapacityPool
    from tentative.shared.actor import Actor

    owner = Actor.staff(member)
    seconds = []
    for n in range(rounds):
        event = Event.objects.create(organisation=org, name=f"Bulk {n}")
        ticket = TicketType.objects.create(
            event=event,
            name="On request",
            price=Decimal("20.00"),
            requires_approval=True,
            requests_hold_capacity=False,
        )
        from django.utils import timezone

        starts = timezone.now() + timedelta(days=40)
        date = EventDate.objects.create(
            event=event, starts_at=starts, ends_at=starts + timedelta(hours=2)
        )
        pool = CapacityPool.objects.create(organisation=org, event_date=date, capacity=requests)
        ids = [
            actions.create_booking(
                actor=owner,
                organisation_id=org.id,
                mode=State.REQUEST,
                lines=[actions.LineRequest(date.id, ticket.id, 1)],
            ).id
            for _ in range(requests)
        ]
        started = time.perf_counter()
        decided = actions.decide_requests(ids, decision=Decision.ACCEPT, actor=owner)
        seconds.append(time.perf_counter() - started)
        assert {d.outcome for d in decided} == {Outcome.ACCEPTED}
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT count(*) FILTER (WHERE state = 'confirmed' AND holds_capacity),
                       (SELECT count(*) FROM audit_auditentry a WHERE a.booking_id = ANY(%s)
                          AND a.action = 'approve'),
                       (SELECT count(*) FROM outbox_outboxmessage o
                          WHERE o.booking_id = ANY(%s) AND o.topic = 'booking.approved')
                FROM bookings_booking WHERE id = ANY(%s)
                """,
                [ids, ids, ids],
            )
            confirmed, audits, events = cursor.fetchone()
        taken = CapacityPool.objects.get(id=pool.id).taken
        assert (confirmed, audits, events, taken) == (requests,) * 4, (
            confirmed,
            audits,
            events,
            taken,
        )
    rounded = ", ".join(f"{s:.3f}" for s in seconds)
    print(
        f"bulk accept of {requests} requests: median {statistics.median(seconds):.3f} s "
        f"(rounds: {rounded}), load average {os.getloadavg()[0]:.1f}"
    )


def _pending_page(org, member) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tentative.catalog.models import Event

    client = Client(HTTP_HOST="localhost")
    client.force_login(member.user)
    event = Event.objects.filter(organisation=org).order_by("id").first()
    for label, params in (("all", {}), ("one event", {"event": event.id})):
        times, cpu = [], []
        for _ in range(21):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get("/staff/pending/", params)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as queries:
            client.get("/staff/pending/", params)
        median = statistics.median(times[1:]) * 1000  # the first warms the caches
        # The Python side's own CPU time too: on a loaded machine the wall time measures the
        # other processes as well.
        median_cpu = statistics.median(cpu[1:]) * 1000
        sql = sum(float(q["time"]) for q in queries.captured_queries) * 1000
        print(
            f"pending page ({label}), {org.bookings.count():,} bookings: median "
            f"{median:.1f} ms of 20 (Python CPU {median_cpu:.1f} ms; SQL {sql:.1f} ms), "
            f"{len(queries)} queries, load average {os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    main()
