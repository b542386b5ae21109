"""The staff bookings list and the pending-orders page with 50,000 bookings, on PostgreSQL.

    python bench/bookings_list.py                  # 50,000 bookings, 20 timed requests a page
    python bench/bookings_list.py --bookings 200000 --runs 50

1. Creates a throw-away database and one organisation with --bookings bookings written in
   bulk SQL (lines and holds too), in a realistic mix: firm bookings (55 %), options
   (15 %), requests (10 %), quotes (5 %), cancelled (8 %), expired (5 %), declined (2 %);
   5,000 customers (people with first and last names, a few companies), 20 events of 10
   dates each with two ticket types, created over the past year, from every channel.
   Another organisation of the same size beside it, so every query must filter by its own.
2. Times each page through Django's test client, in process (no network): the server's
   time from the request to the rendered response, --runs (20) times after one warm-up
   run, and prints the median and the 95th percentile of that wall time, the median CPU
   time of the Python process and of the connection's PostgreSQL process (read from
   /proc: on a shared machine the wall time also counts everyone else's work, the CPU
   times do not), the SQL time and the query count. The pages:
   - the bookings list, first page, and its second page;
   - a search by customer name ("Moreau": ~1 % of customers), by email, and by the start
     of a reference (not a whole one, which opens the booking);
   - the list filtered by state (options);
   - the pending-orders page, all and filtered by one event.
The query counts are pinned by tests/backoffice/test_bookings_page.py and
tests/backoffice/test_pending_page.py (the same count for 3 and 30 bookings).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import timedelta
from decimal import Decimal

from common import DEFAULT_SERVER, organisation, pct, throwaway_database

FIRST = ["Ana", "Luc", "Marie", "Jean", "Sofía", "Pablo", "Chloé", "Hugo", "Lucía", "Tom"]
LAST = [
    "Moreau", "Garcia", "Martin", "Bernard", "Dubois", "Lopez", "Durand", "Leroy", "Petit",
    "Roux", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau",
    "Vincent", "Muller", "Lefevre", "Faure", "Andre", "Mercier", "Blanc", "Guerin", "Boyer",
    "Garnier", "Chevalier", "Francois", "Legrand", "Gauthier", "Perrin", "Robin", "Clement",
    "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson", "Marchand",
    "Duval", "Denis", "Dumont", "Marie", "Lemaire", "Noel", "Meyer", "Dufour", "Meunier",
    "Brun", "Blanchard", "Giraud", "Joly", "Riviere", "Lucas", "Brunet", "Gaillard",
    "Barbier", "Arnaud", "Martinez", "Gerard", "Roche", "Renard", "Schmitt", "Roy", "Leroux",
    "Colin", "Vidal", "Caron", "Picard", "Roger", "Fabre", "Aubert", "Lemoine", "Renaud",
    "Dumas", "Lacroix", "Olivier", "Philippe", "Bourgeois", "Pierre", "Benoit", "Rey",
    "Leclerc", "Payet", "Rolland", "Leclercq", "Guillaume", "Lecomte", "Lopes", "Jean",
    "Dupuy", "Guillot", "Hubert", "Berger", "Carpentier", "Sanchez", "Dupuis",
]  # fmt: skip
# state, share (out of 100), holds capacity
MIX = [
    ("confirmed", 55, True),
    ("option", 15, True),
    ("request", 10, True),
    ("quote", 5, False),
    ("cancelled", 8, False),
    ("expired", 5, False),
    ("declined", 2, False),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bookings", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--server", default=os.environ.get("TENTATIVE_PG_URL", DEFAULT_SERVER))
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument(
        "--explain", action="store_true", help="print each page's slowest query, explained"
    )
    args = parser.parse_args()
    if args.bookings < 100 or args.runs < 1:
        parser.error("need --bookings >= 100 and --runs >= 1")
    with throwaway_database(args.server, keep=args.keep):
        org, owner = organisation("bench")
        other, _ = organisation("elsewhere")
        started = time.perf_counter()
        events = _bookings(org, args.bookings)
        _bookings(other, args.bookings)
        _analyze()
        print(
            f"setup: 2 organisations of {args.bookings:,} bookings each in "
            f"{time.perf_counter() - started:.1f} s"
        )
        _measure(org, owner, events, args.runs, explain=args.explain)


def _bookings(org, total: int) -> list[int]:  # type: ignore[no-untyped-def]
    """`total` bookings of `org` with their lines and holds, in a few INSERT … SELECTs."""
    from django.db import connection, transaction
    from django.utils import timezone

    from tentative.catalog.models import Event, EventDate, TicketType
    from tentative.inventory.models import CapacityPool

    now = timezone.now()
    dates, types, events = [], [], []
    for e in range(20):
        event = Event.objects.create(organisation=org, name=f"Concert {e:02d}")
        events.append(event.id)
        full = TicketType.objects.create(event=event, name="Tarif plein", price=Decimal("25"))
        reduced = TicketType.objects.create(
            event=event,
            name="Tarif réduit",
            price=Decimal("15"),
            requires_approval=True,
            requests_hold_capacity=True,
        )
        for d in range(10):
            starts = now + timedelta(days=10 + e * 10 + d, hours=20)
            date = EventDate.objects.create(
                event=event, starts_at=starts, ends_at=starts + timedelta(hours=2)
            )
            CapacityPool.objects.create(organisation=org, event_date=date, capacity=total, taken=0)
            dates.append(date)
            types.append((full.id, reduced.id))
    states, cuts, holding, cut = [], [], [], 0
    for state, share, holds in MIX:
        cut += share
        states.append(state)
        cuts.append(cut)
        holding.append(holds)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO accounts_customer (organisation_id, kind, name, email, phone, language)
            SELECT %(org)s,
                   CASE WHEN g %% 50 = 0 THEN 'company' ELSE 'person' END,
                   CASE WHEN g %% 50 = 0 THEN 'Société ' || (%(last)s::text[])[1 + g %% %(nl)s]
                        ELSE (%(first)s::text[])[1 + g %% %(nf)s] || ' '
                             || (%(last)s::text[])[1 + (g / %(nf)s) %% %(nl)s] END,
                   'client' || g || '@' || %(slug)s || '.example.org', '',
                   (ARRAY['fr', 'en', 'es'])[1 + g %% 3]
            FROM generate_series(1, 5000) AS g
            """,
            {
                "org": org.id,
                "first": FIRST,
                "last": LAST,
                "nf": len(FIRST),
                "nl": len(LAST),
                "slug": org.slug,
            },
        )
        cursor.execute(
            """
            INSERT INTO bookings_booking (organisation_id, reference, customer_id, channel,
                language, state, holds_capacity, requests_hold, deadline_shown,
                deadline_enforced, at_limit, deadline_rule, total, currency, note,
                created_at, updated_at, answers, checkout_extensions, checkout_mode)
            SELECT %(org)s, upper(substr(%(slug)s, 1, 1)) || lpad(g::text, 8, '0'),
                   (SELECT min(id) FROM accounts_customer WHERE organisation_id = %(org)s)
                     + (g * 7919) %% 5000,
                   (ARRAY['web', 'box_office', 'phone', 'b2b', 'api'])[1 + g %% 5],
                   'fr', s.state, s.holds, true,
                   CASE WHEN s.state IN ('option', 'request', 'quote')
                        THEN %(now)s + ((g %% 20) - 4 || ' days')::interval END,
                   CASE WHEN s.state IN ('option', 'request', 'quote')
                        THEN %(now)s + ((g %% 20) - 4 || ' days')::interval END,
                   'release', '', 25 * (1 + g %% 4), 'EUR', '',
                   %(now)s - (g * 600 || ' seconds')::interval
                     + ((g * 37) %% 300 || ' seconds')::interval,
                   %(now)s, '{}'::jsonb, 0, ''
            FROM generate_series(1, %(n)s) AS g
            CROSS JOIN LATERAL (
                SELECT (%(states)s::text[])[i] AS state, (%(holding)s::boolean[])[i] AS holds
                FROM generate_subscripts(%(cuts)s::int[], 1) AS i
                WHERE (g * 31) %% 100 < (%(cuts)s::int[])[i]
                ORDER BY i LIMIT 1
            ) AS s
            """,
            {
                "org": org.id,
                "slug": org.slug,
                "n": total,
                "now": now,
                "states": states,
                "cuts": cuts,
                "holding": holding,
            },
        )
        cursor.execute(
            """
            INSERT INTO bookings_bookingline (booking_id, event_date_id, ticket_type_id,
                starts_at, ends_at, quantity, unit_price, per_group)
            SELECT b.id, (%(dates)s::bigint[])[1 + b.id %% 200],
                   CASE WHEN b.state = 'request' THEN (%(reduced)s::bigint[])[1 + b.id %% 200]
                        ELSE (%(full)s::bigint[])[1 + b.id %% 200] END,
                   (%(starts)s::timestamptz[])[1 + b.id %% 200],
                   (%(starts)s::timestamptz[])[1 + b.id %% 200] + interval '2 hours',
                   1 + b.id %% 4, 25, false
            FROM bookings_booking b WHERE b.organisation_id = %(org)s
            """,
            {
                "dates": [d.id for d in dates],
                "full": [t[0] for t in types],
                "reduced": [t[1] for t in types],
                "starts": [d.starts_at for d in dates],
                "org": org.id,
            },
        )
        cursor.execute(
            """
            INSERT INTO inventory_hold (line_id, pool_id, quantity)
            SELECT l.id, p.id, l.quantity FROM bookings_bookingline l
            JOIN bookings_booking b ON b.id = l.booking_id AND b.organisation_id = %s
            JOIN inventory_capacitypool p ON p.event_date_id = l.event_date_id
              AND p.ticket_type_id IS NULL
            """,
            [org.id],
        )
        cursor.execute(
            """
            UPDATE inventory_capacitypool p SET taken = (
                SELECT coalesce(sum(h.quantity), 0) FROM inventory_hold h
                JOIN bookings_bookingline l ON l.id = h.line_id
                JOIN bookings_booking b ON b.id = l.booking_id
                WHERE h.pool_id = p.id AND b.holds_capacity)
            WHERE p.organisation_id = %s
            """,
            [org.id],
        )
    return events


def _backend_cpu():  # type: ignore[no-untyped-def]
    """A function reading the CPU seconds the connection's PostgreSQL process has used
    (from /proc: the server runs on this machine). With the Python process's own CPU time
    it is the server's work for a page, which the other processes on a shared machine do
    not inflate as they inflate the wall time."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    ticks = os.sysconf("SC_CLK_TCK")
    stat = f"/proc/{pid}/stat"

    def read() -> float:
        try:
            with open(stat) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:  # another machine's server: not measured
            return 0.0
        return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime

    return read


def _analyze() -> None:
    """Statistics and the visibility map, as autovacuum keeps them on a live server: without
    the map, the list's COUNT(*) (an index-only scan) fetches all 50,000 rows from the heap,
    ~21 ms instead of ~4 (EXPLAIN ANALYZE, "Heap Fetches")."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _measure(org, member, events: list[int], runs: int, *, explain: bool) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tentative.bookings.models import Booking

    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(member.user)
    states = dict(
        Booking.objects.filter(organisation=org).values_list("state").annotate(n=Count("id"))
    )
    print(
        f"{sum(states.values()):,} bookings: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(states.items(), key=lambda kv: -kv[1]))
    )
    reference = Booking.objects.filter(organisation=org).order_by("id")[1234].reference
    pages = [
        ("bookings list, page 1", "/staff/bookings/", {}),
        ("bookings list, page 2", "/staff/bookings/", {"page": "2"}),
        ("search: customer name", "/staff/bookings/", {"q": "Moreau"}),
        ("search: email", "/staff/bookings/", {"q": "client4242@"}),
        ("search: reference start", "/staff/bookings/", {"q": reference[:6]}),
        ("options", "/staff/bookings/", {"state": "option"}),
        ("pending orders", "/staff/pending/", {}),
        ("pending orders, one event", "/staff/pending/", {"event": str(events[3])}),
    ]
    client.get("/staff/")  # opens the connection whose PostgreSQL process is watched
    backend = _backend_cpu()
    print(
        f"{'page':<28} {'median':>8} {'p95':>8} {'Py CPU':>8} {'PG CPU':>8} {'CPU sum':>8} "
        f"{'SQL':>8} {'queries':>8}"
    )
    for label, path, params in pages:
        times, cpu, pg = [], [], []
        for run in range(runs + 1):
            started, started_cpu, started_pg = time.perf_counter(), time.process_time(), backend()
            response = client.get(path, params)
            elapsed, used = time.perf_counter() - started, time.process_time() - started_cpu
            used_pg = backend() - started_pg
            assert response.status_code == 200, (label, response.status_code)
            if run:  # the first warms the caches
                times.append(elapsed)
                cpu.append(used)
                pg.append(used_pg)
        both = [a + b for a, b in zip(cpu, pg, strict=True)]
        with CaptureQueriesContext(connection) as queries:
            client.get(path, params)
        sql = sum(float(q["time"]) for q in queries.captured_queries) * 1000
        print(
            f"{label:<28} {statistics.median(times) * 1000:>6.1f}ms {pct(times, 95):>6.1f}ms "
            f"{statistics.median(cpu) * 1000:>6.1f}ms {statistics.median(pg) * 1000:>6.1f}ms "
            f"{statistics.median(both) * 1000:>6.1f}ms {sql:>6.1f}ms {len(queries):>8}"
        )
        if explain:
            for q in queries.captured_queries:
                print(f"  {float(q['time']) * 1000:6.1f} ms  {q['sql'][:160]}")
            slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN ANALYZE " + slowest["sql"])
                print(slowest["sql"][:1500])
                print("\n".join(row[0] for row in cursor.fetchall()))
    print(f"load average {os.getloadavg()[0]:.1f} (2 cores shared: wall time includes others)")


if __name__ == "__main__":
    main()
