"""The planning of room sessions on PostgreSQL (issue 14): a venue with 10 rooms and a
year of sessions.

    python bench/planning.py                    # 10 rooms, 365 days, ~30,000 bookings
    python bench/planning.py --rooms 20 --days 180

1. Creates a throw-away database, an organisation with --rooms rooms (8 sessions a day,
   every day, 60 minutes plus 30 to reset), and books a year of them in bulk SQL
   (bookings, lines, time claims): about nine sessions in ten held (firm, or an option),
   with a quote on one in ten, players in two categories: ~30,000 bookings.
2. GET /staff/planning/?day=… and ?view=week for a day in the middle of the year, 21 times
   each through Django's test client, in process: the median server time of the last 20,
   the Python CPU time, the SQL time and the query count (pinned by
   tests/rooms/test_planning_pages.py: the same for 3 and 30 bookings).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import date, datetime, timedelta
from decimal import Decimal

from common import DEFAULT_SERVER, throwaway_database

TIMES = "09:00 10:30 12:00 13:30 15:00 16:30 18:00 19:30"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rooms", type=int, default=10)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--server", default=os.environ.get("TENTATIVE_PG_URL", DEFAULT_SERVER))
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    with throwaway_database(args.server, keep=args.keep):
        org, member, rooms = _venue(args.rooms)
        first = datetime.now(tz=org.zone).date() + timedelta(days=1)
        started = time.perf_counter()
        count = _bookings(org, rooms, first, args.days)
        print(f"{count:,} bookings in {time.perf_counter() - started:.1f} s (bulk SQL)")
        middle = first + timedelta(days=args.days // 2)
        _pages(org, member, middle)


def _venue(rooms: int):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    from tentative.accounts.models import Organisation, StaffMembership
    from tentative.catalog import actions as catalog
    from tentative.shared.actor import Actor

    org = Organisation.objects.create(name="Bench", slug="bench", time_zone="Europe/Paris")
    user = get_user_model().objects.create_user("bench-owner", password="bench")
    member = StaffMembership.objects.create(user=user, organisation=org, role="owner")
    owner = Actor.staff(member)
    made = [
        catalog.create_room(
            org.id,
            actor=owner,
            spec=catalog.RoomSpec(
                name=f"Room {n + 1:02d}",
                game=f"Game {n + 1:02d}",
                duration=timedelta(minutes=60),
                reset=timedelta(minutes=30),
                min_players=2,
                max_players=6,
                categories=(
                    catalog.Category("Adult", Decimal("30.00")),
                    catalog.Category("Child", Decimal("20.00")),
                ),
                schedules=(catalog.Schedule(frozenset(range(7)), TIMES),),
            ),
        )
        for n in range(rooms)
    ]
    return org, member, made


def _bookings(org, rooms, first: date, days: int) -> int:  # type: ignore[no-untyped-def]
    from django.db import transaction

    from tentative.accounts.models import Customer
    from tentative.bookings.models import Booking, BookingLine, new_reference
    from tentative.catalog.selectors import room_schedules
    from tentative.inventory.models import TimeClaim

    rng = random.Random(14)
    customers = Customer.objects.bulk_create(
        [Customer(organisation=org, name=f"Customer {n}") for n in range(1000)]
    )
    schedules = room_schedules(
        org.id, first=first, last=first + timedelta(days=days - 1), zone=org.zone
    )
    now = datetime.now(tz=org.zone)
    bookings, lines, claims = [], [], []
    for schedule in schedules:
        service = schedule.services[0]
        adult, child = list(service.prices.all())
        for session in schedule.sessions:
            roll = rng.random()
            wanted = []
            if roll < 0.9:
                wanted.append(rng.choice(["confirmed", "confirmed", "option"]))
            if roll > 0.8:
                wanted.append("quote")
            for state in wanted:
                adults, children = rng.randint(2, 4), rng.randint(0, 2)
                holds = state != "quote"
                booking = Booking(
                    organisation=org,
                    reference=new_reference(),
                    customer=rng.choice(customers),
                    state=state,
                    holds_capacity=holds,
                    total=adult.price * adults + child.price * children,
                    currency="EUR",
                    channel="phone",
                    created_at=now,
                    updated_at=now,
                    deadline_shown=session.starts_at if state != "confirmed" else None,
                    deadline_enforced=session.starts_at if state != "confirmed" else None,
                )
                bookings.append(booking)
                for price, n in ((adult, adults), (child, children)):
                    if n:
                        lines.append(
                            (
                                booking,
                                BookingLine(
                                    service=service,
                                    service_price=price,
                                    resource=schedule.room,
                                    starts_at=session.starts_at,
                                    ends_at=session.ends_at,
                                    quantity=n,
                                    unit_price=price.price,
                                ),
                                holds and price is adult,
                            )
                        )
    with transaction.atomic():
        Booking.objects.bulk_create(bookings, batch_size=2000)
        for booking, line, _claims in lines:
            line.booking = booking
        BookingLine.objects.bulk_create([line for _b, line, _c in lines], batch_size=2000)
        claims = [
            TimeClaim(
                line=line,
                resource_id=line.resource_id,
                starts_at=line.starts_at,
                ends_at=line.ends_at + timedelta(minutes=30),
                active=True,
            )
            for _b, line, claimed in lines
            if claimed
        ]
        TimeClaim.objects.bulk_create(claims, batch_size=2000)
    from django.db import connection

    with connection.cursor() as cursor:  # statistics and visibility map, as autovacuum gives
        cursor.execute("VACUUM ANALYZE")
    return len(bookings)


def _pages(org, member, day: date) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost")
    client.force_login(member.user)
    for label, params in (
        ("day", {"day": day.isoformat()}),
        ("week", {"day": day.isoformat(), "view": "week"}),
    ):
        times, cpu = [], []
        for _ in range(21):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get("/staff/planning/", params)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as queries:
            client.get("/staff/planning/", params)
        median = statistics.median(times[1:]) * 1000  # the first warms the caches
        median_cpu = statistics.median(cpu[1:]) * 1000
        sql = sum(float(q["time"]) for q in queries.captured_queries) * 1000
        if os.environ.get("BENCH_SHOW_SLOWEST"):
            slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
            print(slowest["time"], slowest["sql"][:600])
        print(
            f"planning ({label}), {org.bookings.count():,} bookings: median {median:.1f} ms "
            f"of 20 (Python CPU {median_cpu:.1f} ms; SQL {sql:.1f} ms), {len(queries)} "
            f"queries, load average {os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    main()
