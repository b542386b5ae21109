"""Free slots at volume (issue 13), on PostgreSQL, through the API (in-process client).

    python bench/availability.py                  # 50 staff members, ~200,000 appointments
    python bench/availability.py --staff 10 --calls 20

1. Creates a throw-away database, an organisation in Europe/Paris, --staff (50) staff
   members working Monday to Friday 08:00–20:00 (a lunch break 12:00–13:00), one 30-minute
   service with a slot every 30 minutes that they all deliver, and a year of confirmed
   appointments (six months back, six ahead), --fill (70 %) of the half hours of every
   working day taken: ~200,000 bookings, lines and active time claims, in bulk SQL.
   ANALYZE.
2. Times, through `GET /api/v1/services/{id}/availability` with a staff token, --calls (50)
   calls each of: one staff member's free slots for a month (a random staff member and
   month ahead), and every staff member's for a week ("any"). A baseline beside them:
   `GET /api/v1/organisation`, the smallest authenticated endpoint, in the same run.
3. Prints median and p95 of each, the median Python CPU time per call (the process's, so
   the client's and psycopg's included: less sensitive to the load of a shared machine
   than wall time), the slots returned, the queries per call, and the load average.
   Targets: month of one staff member < 20 ms median; a week of everyone < 150 ms median.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import timedelta

from common import DEFAULT_SERVER, throwaway_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--staff", type=int, default=50)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--fill", type=float, default=0.70, help="share of half hours taken")
    parser.add_argument("--server", default=os.environ.get("TENTATIVE_PG_URL", DEFAULT_SERVER))
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--repeat", type=int, default=1, help="measure the series N times")
    parser.add_argument("--profile", action="store_true", help="cProfile the week calls")
    args = parser.parse_args()
    os.environ.setdefault("TENTATIVE_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    with throwaway_database(args.server, keep=args.keep):
        service_id, staff_ids, token = _setup(args.staff, args.fill)
        for _ in range(args.repeat):
            _measure(service_id, staff_ids, token, args.calls, profile=args.profile)


def _setup(staff: int, fill: float) -> tuple[int, list[int], str]:
    from datetime import time as wall

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from tentative.accounts.models import ApiToken, Organisation, StaffMembership
    from tentative.bookings.models import Booking, BookingLine
    from tentative.catalog.models import Resource, Service, ServicePrice, WorkingHours
    from tentative.inventory.models import TimeClaim

    started = time.perf_counter()
    org = Organisation.objects.create(
        name="Bench clinic", slug="bench", time_zone="Europe/Paris", currency="EUR"
    )
    user = get_user_model().objects.create_user("bench", "bench@example.org", "x")
    membership = StaffMembership.objects.create(organisation=org, user=user, role="owner")
    token = ApiToken.issue(membership, "bench")[1]
    resources = Resource.objects.bulk_create(
        Resource(organisation=org, kind="staff", name=f"Staff {i:02d}") for i in range(staff)
    )
    WorkingHours.objects.bulk_create(
        WorkingHours(resource=r, weekday=d, starts=a, ends=b)
        for r in resources
        for d in range(5)
        for a, b in ((wall(8), wall(12)), (wall(13), wall(20)))
    )
    service = Service.objects.create(
        organisation=org,
        kind="appointment",
        name="Consultation",
        duration=timedelta(minutes=30),
        slot_step=timedelta(minutes=30),
        horizon_days=365,
    )
    service.resources.set(resources)
    price = ServicePrice.objects.create(service=service, name="Standard", price=50)
    today = timezone.localdate(timezone.now(), org.zone)
    booking, line, claim = (
        Booking._meta.db_table,
        BookingLine._meta.db_table,
        TimeClaim._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.13)")
        # Half hours of working days (08:00–20:00 but lunch), --fill of them taken.
        cursor.execute(
            """
            CREATE TEMP TABLE appt AS
            SELECT row_number() OVER () AS n, r.id AS resource_id,
                   ((d::date + time '08:00' + k * interval '30 minutes')
                     AT TIME ZONE 'Europe/Paris') AS starts_at
              FROM unnest(%s::bigint[]) AS r(id),
                   generate_series(%s::date - 182, %s::date + 183, interval '1 day') AS d,
                   generate_series(0, 23) AS k
             WHERE extract(isodow FROM d) < 6 AND k NOT IN (8, 9) AND random() < %s
            """,
            [[r.id for r in resources], today, today, fill],
        )
        cursor.execute(
            f"""
            INSERT INTO {booking} (organisation_id, reference, channel, language, state,
                holds_capacity, requests_hold, at_limit, deadline_rule, total, currency,
                note, answers, checkout_extensions, checkout_mode, created_at, updated_at)
            SELECT %s, 'Z' || lpad(n::text, 9, '0'), 'web', 'en', 'confirmed', true, true,
                   'release', '', 50, 'EUR', '', '{{}}', 0, '',
                   now(), now()
              FROM appt
            """,
            [org.id],
        )
        cursor.execute(
            f"""
            INSERT INTO {line} (booking_id, service_id, service_price_id, resource_id,
                starts_at, ends_at, quantity, unit_price, per_group)
            SELECT b.id, %s, %s, a.resource_id, a.starts_at,
                   a.starts_at + interval '30 minutes', 1, 50, false
              FROM appt a JOIN {booking} b ON b.reference = 'Z' || lpad(a.n::text, 9, '0')
            """,
            [service.id, price.id],
        )
        cursor.execute(
            f"""
            INSERT INTO {claim} (line_id, resource_id, starts_at, ends_at, active)
            SELECT id, resource_id, starts_at, ends_at, true
              FROM {line} WHERE service_id = %s
            """,
            [service.id],
        )
        cursor.execute(f"SELECT count(*) FROM {claim}")
        (count,) = cursor.fetchone()
        for table in (booking, line, claim, "catalog_workinghours", "catalog_hoursexception"):
            cursor.execute(f"ANALYZE {table}")
    print(
        f"setup: {staff} staff members, {count:,} appointments over a year "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return service.id, [r.id for r in resources], token


def _measure(
    service_id: int, staff_ids: list[int], token: str, calls: int, *, profile: bool
) -> None:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    client = Client()
    headers = {"Authorization": f"Bearer {token}"}
    rng = random.Random(13)
    now = timezone.now()

    def timed(path: str, params: dict[str, str] | None = None) -> tuple[float, int, float]:
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(path, params or {}, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        cpu_ms = (time.process_time() - cpu) * 1000
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        return elapsed, len(body.get("slots", [])), cpu_ms

    def series(label: str, make: object) -> None:
        times, slots, cpus = [], [], []
        for _ in range(3):  # warm-up: connection, compiled paths
            make()  # type: ignore[operator]
        for _ in range(calls):
            ms, n, cpu = make()  # type: ignore[operator]
            times.append(ms)
            slots.append(n)
            cpus.append(cpu)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
        with CaptureQueriesContext(connection) as queries:
            make()  # type: ignore[operator]
        print(
            f"{label:<46} median {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms  "
            f"CPU {statistics.median(cpus):5.1f} ms  slots/call {statistics.median(slots):5.0f}"
            f"  queries {len(queries)}"
        )

    url = f"/api/v1/services/{service_id}/availability"

    def month_of_one() -> tuple[float, int, int]:
        start = now + timedelta(days=rng.randint(0, 150))
        return timed(
            url,
            {
                "start": start.isoformat(),
                "end": (start + timedelta(days=31)).isoformat(),
                "resource_id": str(rng.choice(staff_ids)),
            },
        )

    def week_of_everyone() -> tuple[float, int, int]:
        start = now + timedelta(days=rng.randint(0, 150))
        return timed(
            url, {"start": start.isoformat(), "end": (start + timedelta(days=7)).isoformat()}
        )

    reset_queries()
    print(f"{calls} calls each, in-process API client, PostgreSQL; load {os.getloadavg()}")
    series("baseline: GET /organisation", lambda: timed("/api/v1/organisation"))
    series("one staff member, a month (target < 20 ms)", month_of_one)
    series(f"all {len(staff_ids)} staff members, a week (target < 150 ms)", week_of_everyone)
    print(f"load average after: {os.getloadavg()}")
    if profile:
        import cProfile
        import pstats

        for call in (month_of_one, week_of_everyone):
            with cProfile.Profile() as profiler:
                for _ in range(10):
                    call()
            print(f"--- profile of 10 calls: {call.__name__}")
            pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
        with CaptureQueriesContext(connection) as queries:
            month_of_one()
        for query in queries.captured_queries:
            print(f"{query['time']} s  {query['sql'][:300]}")


if __name__ == "__main__":
    main()
