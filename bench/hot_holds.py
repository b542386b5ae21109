"""Hot holds: many clients race to place 1-place options on one date.

    python bench/hot_holds.py --clients 64             # over HTTP, gunicorn on PostgreSQL
    python bench/hot_holds.py --clients 64 --in-process   # the action from threads, no HTTP
    python bench/hot_holds.py --offer appointment      # 2,000 one-hour appointments, HTTP

One date with --capacity places (1,000), --attempts tries (2,000), so demand exceeds supply.
It creates a throw-away PostgreSQL database, migrates it, serves the app with gunicorn on
127.0.0.1 (HTTP mode), warms each worker with a few reads, fires the attempts from a
non-blocking socket client with one fresh connection per request (gunicorn's sync workers
do not keep connections alive), then checks the database: oversold = places held beyond
capacity, counted from the bookings themselves.

It prints the rate over all attempts (bookings and refusals) and the latency of each kind.
The last line is `bookings/s=… p50_ms=… p99_ms=… oversold=…`: the bookings made divided by
the time until the last one was made, and the latency of those bookings (see `_report`).

`--offer appointment` (issue 9) races for time instead of places: --staff (50) staff members
each offer --slots-per-staff (40) back-to-back one-hour slots of one service, 2,000 in all,
and every slot is wanted by 2 or 3 clients (5,000 attempts in a shuffled order, each a
1-slot option through `slots` in `POST /api/v1/bookings`). A 409 `slot_taken` is the
appointment's "sold out". Afterwards, in SQL: overlapping active claims of one staff member
(must be 0) and slots nobody holds (must be 0: every slot had takers, so an unsold one is a
spurious refusal). The last line is `appointments/s=… p50_ms=… p99_ms=… overlaps=…
unsold=…`, with the same definitions as the tickets' bookings/s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator

from common import DEFAULT_SERVER, fire, gunicorn, pct, throwaway_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offer", choices=["ticket", "appointment"], default="ticket")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--attempts", type=int, default=2000, help="tickets only")
    parser.add_argument("--capacity", type=int, default=1000, help="tickets only")
    parser.add_argument("--staff", type=int, default=50, help="appointments only")
    parser.add_argument("--slots-per-staff", type=int, default=40, help="appointments only")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1)
    parser.add_argument("--in-process", action="store_true", help="call the action from threads")
    parser.add_argument("--server", default=os.environ.get("TENTATIVE_PG_URL", DEFAULT_SERVER))
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    if args.clients < 1 or args.attempts < 1 or args.capacity < 1 or args.workers < 1:
        parser.error("--clients, --attempts, --capacity and --workers must be positive")
    if args.offer == "appointment":
        if args.in_process:
            parser.error("--offer appointment runs over HTTP only")
        if args.staff < 1 or args.slots_per_staff < 1:
            parser.error("--staff and --slots-per-staff must be positive")
        with throwaway_database(args.server, keep=args.keep) as url:
            _appointments(args, url)
        return

    with throwaway_database(args.server, keep=args.keep) as url:
        date_id, type_id, token, actor, org_id = _setup(args.capacity)
        if args.in_process:
            results = _in_process(args, actor, org_id, date_id, type_id)
            label = f"in-process, {args.clients} threads"
        else:
            results = _over_http(args, url, token, date_id, type_id)
            label = f"HTTP, gunicorn {args.workers} sync workers, {args.clients} clients"
        oversold, held = _oversold(date_id, args.capacity)
        _report(label, args, results, oversold, held)


def _setup(capacity: int):  # type: ignore[no-untyped-def]
    from datetime import timedelta
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tentative.accounts.models import ApiToken, Organisation, StaffMembership
    from tentative.catalog.models import Event, EventDate, TicketType
    from tentative.inventory.models import CapacityPool
    from tentative.shared.actor import Actor

    org = Organisation.objects.create(name="Bench", slug="bench", time_zone="Europe/Paris")
    user = get_user_model().objects.create_user("bench")
    membership = StaffMembership.objects.create(user=user, organisation=org, role="owner")
    _, token = ApiToken.issue(membership, "bench")
    event = Event.objects.create(organisation=org, name="Hot date")
    starts = timezone.now() + timedelta(days=30)
    date = EventDate.objects.create(
        event=event, starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    ticket = TicketType.objects.create(
        event=event, name="Standard", price=Decimal("25.00"), deadline_days_after_booking=5
    )
    CapacityPool.objects.create(organisation=org, event_date=date, capacity=capacity)
    return date.id, ticket.id, token, Actor.staff(membership, via="bench"), org.id


def _appointments(args, url) -> None:  # type: ignore[no-untyped-def]
    token, service_id, slots = _setup_appointments(args.staff, args.slots_per_staff)
    rng = random.Random(9)  # the same attempts in the same order on every run
    wanted = [slot for slot in slots for _ in range(rng.choice((2, 3)))]
    rng.shuffle(wanted)
    bodies = [
        json.dumps(
            {
                "mode": "option",
                "slots": [
                    {
                        "service_id": service_id,
                        "resource_id": resource_id,
                        "starts_at": starts_at.isoformat(),
                        "quantity": 1,
                    }
                ],
            }
        ).encode()
        for resource_id, starts_at in wanted
    ]
    results = _serve_and_fire(args, url, token, "/api/v1/services", bodies)
    overlaps, unsold = _overlaps_and_unsold(slots)
    label = f"HTTP, gunicorn {args.workers} sync workers, {args.clients} clients"
    _report_appointments(label, args, results, len(slots), overlaps, unsold)


def _setup_appointments(staff: int, per_staff: int):  # type: ignore[no-untyped-def]
    """`staff` staff members who all deliver one one-hour service; each has `per_staff`
    back-to-back slots a month ahead. Returns the token, the service and the slots as
    (resource id, start)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from tentative.accounts.models import ApiToken, Organisation, StaffMembership
    from tentative.catalog.models import Resource, Service, ServicePrice

    org = Organisation.objects.create(name="Bench", slug="bench", time_zone="Europe/Paris")
    user = get_user_model().objects.create_user("bench")
    membership = StaffMembership.objects.create(user=user, organisation=org, role="owner")
    _, token = ApiToken.issue(membership, "bench")
    people = Resource.objects.bulk_create(
        Resource(organisation=org, kind=Resource.Kind.STAFF, name=f"Staff {i}")
        for i in range(staff)
    )
    service = Service.objects.create(
        organisation=org,
        kind=Service.Kind.APPOINTMENT,
        name="Consultation",
        duration=timedelta(hours=1),
        deadline_days_after_booking=5,
    )
    service.resources.set(people)
    ServicePrice.objects.create(service=service, name="Standard", price=Decimal("60.00"))
    first = (timezone.now() + timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
    starts = [first + timedelta(hours=h) for h in range(per_staff)]
    slots = [(p.id, start) for p in people for start in starts]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh tables: plan with real statistics (PERFORMANCE.md)
    return token, service.id, slots


# Pairs of active claims of one resource whose times overlap: a double booking.
OVERLAPS_SQL = """
    SELECT count(*) FROM inventory_timeclaim a
    JOIN inventory_timeclaim b ON b.resource_id = a.resource_id AND b.id > a.id
    WHERE a.active AND b.active
      AND tstzrange(a.starts_at, a.ends_at, '[)') && tstzrange(b.starts_at, b.ends_at, '[)')
"""
# Slots (resource, start) that no active claim holds.
UNSOLD_SQL = """
    SELECT count(*) FROM unnest(%s::bigint[], %s::timestamptz[]) AS s(resource_id, starts_at)
    WHERE NOT EXISTS (
        SELECT 1 FROM inventory_timeclaim c
        WHERE c.active AND c.resource_id = s.resource_id AND c.starts_at = s.starts_at)
"""


def _overlaps_and_unsold(slots) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(OVERLAPS_SQL)
        overlaps = cursor.fetchone()[0]
        cursor.execute(UNSOLD_SQL, [[r for r, _ in slots], [t for _, t in slots]])
        unsold = cursor.fetchone()[0]
    return overlaps, unsold


def _timings(results, *, refusal: str):  # type: ignore[no-untyped-def]
    """Latencies of the bookings and of every attempt, the run's length and the time of the
    last booking; prints the outcomes, flagging any but a booking or `refusal`."""
    outcomes = Counter(outcome for _, _, outcome in results)
    booked = [answered - sent for sent, answered, outcome in results if outcome == "201"]
    every = [answered - sent for sent, answered, _ in results]
    run = max(answered for _, answered, _ in results)
    selling = max((answered for _, answered, o in results if o == "201"), default=run)
    print(f"outcomes: {dict(sorted(outcomes.items()))}")
    if set(outcomes) - {"201", refusal}:
        print(f"UNEXPECTED outcomes: only bookings and {refusal!r} belong in this run")
    return booked, every, run, selling


def _report_appointments(label, args, results, slots, overlaps, unsold) -> None:  # type: ignore[no-untyped-def]
    """The tickets' definitions: appointments/s is the appointments booked divided by the
    time from the first attempt to the last booking; p50/p99 are those bookings' latency."""
    booked, every, run, selling = _timings(results, refusal="409 slot_taken")
    print(f"{label}: {len(results)} attempts on {slots} slots, {len(booked)} booked")
    print(
        f"all attempts: requests/s={len(every) / run:.0f} over {run:.2f} s, "
        f"p50_ms={pct(every, 50):.1f} p95_ms={pct(every, 95):.1f} p99_ms={pct(every, 99):.1f}"
    )
    print(
        f"appointments/s={len(booked) / selling:.0f} p50_ms={pct(booked, 50):.1f} "
        f"p99_ms={pct(booked, 99):.1f} overlaps={overlaps} unsold={unsold}"
    )
    if overlaps or unsold or len(booked) != slots - unsold:
        raise SystemExit(f"FAILED: {overlaps} overlapping claims, {unsold} slots unsold")


def _over_http(args, url, token, date_id, type_id):  # type: ignore[no-untyped-def]
    body = json.dumps(
        {
            "mode": "option",
            "lines": [{"event_date_id": date_id, "ticket_type_id": type_id, "quantity": 1}],
        }
    ).encode()
    warm = f"/api/v1/dates/{date_id}/availability"
    return _serve_and_fire(args, url, token, warm, [body] * args.attempts)


def _serve_and_fire(args, url, token, warm, bodies):  # type: ignore[no-untyped-def]
    """Serve the app with gunicorn, warm it with reads of `warm`, fire one POST per body."""
    with gunicorn(url, args.workers) as port:
        _warm_up(port, token, warm, args.workers)
        return fire(port, _bookings(token, bodies), args.clients)


def _warm_up(port: int, token: str, path: str, workers: int) -> None:
    """A few reads first, so that every worker has its database connection open and its
    statements prepared, as a server that has been up for a while has."""
    import http.client

    for _ in range(10 * workers):
        client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        client.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        client.getresponse().read()
        client.close()


def _bookings(token: str, bodies: list[bytes]) -> Iterator[bytes]:
    """`POST /api/v1/bookings` for each body, each with an idempotency key of its own."""
    head = (
        "POST /api/v1/bookings HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        "Connection: close\r\nContent-Length: "
    ).encode()
    for body in bodies:
        key = uuid.uuid4().hex
        yield head + f"{len(body)}\r\nIdempotency-Key: {key}\r\n\r\n".encode() + body


def _in_process(args, actor, org_id, date_id, type_id):  # type: ignore[no-untyped-def]
    from django.db import connection

    from tentative.bookings import actions
    from tentative.core.states import State
    from tentative.shared import errors as shared_errors

    results: list[tuple[float, float, str]] = []  # (sent, answered, outcome as over HTTP)
    lock = threading.Lock()
    remaining = iter(range(args.attempts))
    line = [actions.LineRequest(date_id, type_id, 1)]

    def worker() -> None:
        try:
            while True:
                with lock:
                    if next(remaining, None) is None:
                        return
                sent = time.perf_counter() - started
                try:
                    actions.create_booking(
                        actor=actor, organisation_id=org_id, mode=State.OPTION, lines=line
                    )
                    outcome = "201"
                except shared_errors.DomainError as error:
                    outcome = f"{error.status} {error.code}"
                with lock:
                    results.append((sent, time.perf_counter() - started, outcome))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(args.clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    return results


def _oversold(date_id: int, capacity: int) -> tuple[int, int]:
    from django.db.models import Sum

    from tentative.inventory.models import Hold

    held = (
        Hold.objects.filter(
            line__booking__holds_capacity=True, pool__event_date_id=date_id
        ).aggregate(n=Sum("quantity"))["n"]
        or 0
    )
    return max(held - capacity, 0), held


def _report(label, args, results, oversold, held) -> None:  # type: ignore[no-untyped-def]
    """bookings/s is the rate at which the date sold: the bookings made, divided by the time
    from the first attempt to the last booking. After that the date is sold out and every
    attempt is refused (409) whatever the server's speed, so counting that time too would
    make the figure depend on how many attempts the run makes beyond the capacity."""
    booked, every, run, selling = _timings(results, refusal="409 sold_out")
    print(f"{label}: {args.attempts} attempts, {len(booked)} booked, {held} places held")
    print(
        f"all attempts: requests/s={len(every) / run:.0f} over {run:.2f} s "
        f"(bookings/run time={len(booked) / run:.0f}), "
        f"p50_ms={pct(every, 50):.1f} p95_ms={pct(every, 95):.1f} p99_ms={pct(every, 99):.1f}"
    )
    print(
        f"bookings: {len(booked)} in {selling:.2f} s, "
        f"p95_ms={pct(booked, 95):.1f} mean_ms={1000 * statistics.fmean(booked or [0]):.1f}"
    )
    print(
        f"bookings/s={len(booked) / selling:.0f} p50_ms={pct(booked, 50):.1f} "
        f"p99_ms={pct(booked, 99):.1f} oversold={oversold}"
    )
    if oversold or held < min(args.capacity, args.attempts):
        # Selling fewer places than there were (a spurious refusal) would flatter the rate.
        raise SystemExit(f"FAILED: {held} places held of {args.capacity}")


if __name__ == "__main__":
    main()
