"""The personal space's hot pages, on PostgreSQL: a B2B customer juggling many options.

    python bench/portal.py                      # 300 bookings for one company
    python bench/portal.py --bookings 1000

1. Creates a throw-away database, an organisation with 10 events of one date each, and a
   company customer with --bookings bookings made through the engine (options with
   different deadlines, some requests, some confirmed and paid), plus 2,000 other
   customers' bookings it must never see.
2. Signs in through a real one-time link (the `use_sign_in_link` action), then GETs the
   dashboard, a booking's page and its PDF receipt 20 times each through Django's test
   client, in process: the median server time per page and the dashboard's query count
   (which does not grow with the bookings: tests/portal/test_space.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import timedelta
from decimal import Decimal

from common import DEFAULT_SERVER, throwaway_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bookings", type=int, default=300)
    parser.add_argument("--server", default=os.environ.get("TENTATIVE_PG_URL", DEFAULT_SERVER))
    parser.add_argument(
        "--profile", action="store_true", help="print each page's cProfile (top 30 by own time)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    if args.bookings < 10:
        parser.error("need --bookings >= 10")
    with throwaway_database(args.server, keep=args.keep) as url:
        if args.keep:
            print(f"database kept: {url}")
        org, reference = _world(args.bookings)
        _pages(org, reference, profile=args.profile)


def _world(count: int):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tentative.accounts.models import Customer, Organisation, StaffMembership
    from tentative.bookings import actions
    from tentative.bookings.actions import LineRequest
    from tentative.catalog.models import Event, EventDate, TicketType
    from tentative.core.states import State
    from tentative.inventory.models import CapacityPool
    from tentative.payments import actions as payments
    from tentative.shared.actor import Actor

    started = time.perf_counter()
    org = Organisation.objects.create(name="Bench", slug="bench", time_zone="Europe/Paris")
    user = get_user_model().objects.create_user("bench-owner", password="bench")
    staff = Actor.staff(StaffMembership.objects.create(user=user, organisation=org, role="owner"))
    company = Customer.objects.create(
        organisation=org, kind="company", name="Écoles du Lac", email="b2b@example.org"
    )
    others = Customer.objects.bulk_create(
        [Customer(organisation=org, name=f"C{n}", email=f"c{n}@example.org") for n in range(200)]
    )
    now = timezone.now()
    offers = []
    for e in range(10):
        event = Event.objects.create(organisation=org, name=f"Event {e}")
        starts = now + timedelta(days=30 + e)
        date = EventDate.objects.create(
            event=event, starts_at=starts, ends_at=starts + timedelta(hours=2)
        )
        CapacityPool.objects.create(organisation=org, event_date=date, capacity=100_000)
        ticket = TicketType.objects.create(
            event=event, name="Group", price=Decimal("12.00"), deadline_days_after_booking=1 + e
        )
        approval = TicketType.objects.create(
            event=event, name="On request", price=Decimal("12.00"), requires_approval=True
        )
        offers.append((date, ticket, approval))
    reference = ""
    for n in range(count):
        date, ticket, approval = offers[n % 10]
        mode = (State.OPTION, State.OPTION, State.REQUEST, State.CONFIRMED)[n % 4]
        kind = approval if mode == State.REQUEST else ticket
        booking = actions.create_booking(
            actor=staff,
            organisation_id=org.id,
            mode=mode,
            customer_id=company.id,
            lines=[LineRequest(date.id, kind.id, 1 + n % 5)],
        )
        if mode == State.CONFIRMED:
            payments.record_payment(booking.id, actor=staff, amount=booking.total)
        reference = reference or booking.reference
    for n in range(2000):
        date, ticket, _ = offers[n % 10]
        actions.create_booking(
            actor=staff,
            organisation_id=org.id,
            mode=State.OPTION,
            customer_id=others[n % 200].id,
            lines=[LineRequest(date.id, ticket.id, 1)],
        )
    print(f"setup: {count} + 2000 bookings in {time.perf_counter() - started:.1f} s")
    return org, reference


def _pages(org, reference: str, *, profile: bool = False) -> None:  # type: ignore[no-untyped-def]
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from sesame.utils import get_token

    from tentative.accounts.actions import customer_user, sign_in_scope

    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()
    token = get_token(customer_user(org.id, "b2b@example.org"), scope=sign_in_scope(org.id))
    assert client.post(f"/o/{org.slug}/me/link/", {"sesame": token}).status_code == 302
    me = f"/o/{org.slug}/me"
    for name, path in (
        ("dashboard", f"{me}/"),
        ("booking", f"{me}/bookings/{reference}/"),
        ("receipt.pdf", f"{me}/bookings/{reference}/receipt.pdf"),
    ):
        times, cpu = [], []
        for run in range(21):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            if run:  # the first warms the caches
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
            assert response.status_code == 200, (name, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        sql = sum(float(q["time"]) for q in queries.captured_queries) * 1000
        print(
            f"{name:12s} median {statistics.median(times) * 1000:7.1f} ms  "
            f"p90 {sorted(times)[17] * 1000:7.1f} ms  Python CPU "
            f"{statistics.median(cpu) * 1000:6.1f} ms  SQL {sql:6.1f} ms  "
            f"queries {len(queries)}"
        )
        if profile:
            _profile(lambda path=path: client.get(path))


def _profile(call) -> None:  # type: ignore[no-untyped-def]
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    call()
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
