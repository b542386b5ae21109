"""The public booking pages under load (issue 12): pages read while visitors book, and the
full checkout.

    python bench/public_pages.py --clients 64          # over HTTP, gunicorn on PostgreSQL

A throw-away PostgreSQL database with one organisation, an event with --dates (4) dates of
--capacity (100,000) places and two ticket types (buy or reserve), served by gunicorn with
--workers sync workers (cores + 1). The client is httpx on asyncio, --clients (64) requests
in flight at all times, each virtual visitor with its own cookies (session, CSRF).

1. Reads while bookings are made: --clients clients GET the event page and the availability
   fragment (alternately, --reads requests in all) while --bookers (8) other visitors run
   full checkouts the whole time. Reported per kind: requests/s, p50 and p99.
2. Full checkout: --checkouts (400) visitors, --clients at a time, each: GET the event page
   (the CSRF cookie), POST the hold (302 to the checkout page), GET the checkout page (the
   form and its countdown), POST the form (contact details, "reserve"; 302 to the done
   page). Reported: checkouts/s, p50 and p99 of a whole checkout and of each step.

Afterwards, in SQL: every checkout that answered 302 left one submitted reservation with a
customer; no hold is left behind unsubmitted; `reconcile()` finds no drift. The hold rate
limit per address is raised for the run (every client comes from 127.0.0.1).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable

from common import DEFAULT_SERVER, gunicorn, pct, throwaway_database

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--reads", type=int, default=4000)
    parser.add_argument("--bookers", type=int, default=8)
    parser.add_argument("--checkouts", type=int, default=400)
    parser.add_argument("--dates", type=int, default=4)
    parser.add_argument("--capacity", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1)
    parser.add_argument("--server", default=os.environ.get("TENTATIVE_PG_URL", DEFAULT_SERVER))
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    if min(args.clients, args.reads, args.checkouts, args.dates, args.workers) < 1:
        parser.error("every count must be positive")
    os.environ["TENTATIVE_PUBLIC_HOLDS_PER_MINUTE"] = "1000000"
    with throwaway_database(args.server, keep=args.keep) as url:
        slug, event_id, date_ids, type_ids = _setup(args.dates, args.capacity)
        with gunicorn(url, args.workers) as port:
            base = f"http://127.0.0.1:{port}/o/{slug}"
            print(
                f"HTTP, gunicorn {args.workers} sync workers, {args.clients} clients, "
                f"{args.dates} dates"
            )
            reads = asyncio.run(_reads(base, event_id, date_ids, type_ids, args))
            _report_reads(reads)
            flows = asyncio.run(_checkouts(base, event_id, date_ids, type_ids, args))
            _report_checkouts(flows)
        _check(slug)


def _setup(dates: int, capacity: int) -> tuple[str, int, list[int], list[int]]:
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from tentative.accounts.models import Organisation
    from tentative.catalog.models import Event, EventDate, TicketType
    from tentative.inventory.models import CapacityPool

    org = Organisation.objects.create(
        name="Bench theatre", slug="bench", time_zone="Europe/Paris", currency="EUR"
    )
    org.public_max_open_per_customer = 1000
    org.save()
    event = Event.objects.create(organisation=org, name="Bench concert", description="Load.")
    types = [
        TicketType.objects.create(event=event, name=name, price=Decimal(price), reservable=True)
        for name, price in (("Full price", "30.00"), ("Reduced", "20.00"))
    ]
    date_ids = []
    for day in range(dates):
        starts = timezone.now() + timedelta(days=30 + day)
        date = EventDate.objects.create(
            event=event, starts_at=starts, ends_at=starts + timedelta(hours=2)
        )
        CapacityPool.objects.create(organisation=org, event_date=date, capacity=capacity)
        date_ids.append(date.id)
    return org.slug, event.id, date_ids, [t.id for t in types]


class Visitor:
    """One browser: its own cookies; `step` times one request and records its outcome."""

    def __init__(self, client, timings: dict[str, list[float]], outcomes: Counter[str]) -> None:  # type: ignore[no-untyped-def]
        self.client, self.timings, self.outcomes = client, timings, outcomes

    async def step(self, name: str, call: Callable[[], Awaitable]):  # type: ignore[no-untyped-def,type-arg]
        started = time.perf_counter()
        response = await call()
        self.timings.setdefault(name, []).append(time.perf_counter() - started)
        self.outcomes[f"{name} {response.status_code}"] += 1
        return response


async def _checkout(
    visitor: Visitor, base: str, event_id: int, date_id: int, type_id: int, n: int
) -> bool:
    client = visitor.client
    page = await visitor.step("event page", lambda: client.get(f"{base}/events/{event_id}/"))
    token = CSRF.search(page.text)
    if not token:
        return False
    held = await visitor.step(
        "hold",
        lambda: client.post(
            f"{base}/dates/{date_id}/hold/",
            data={
                "csrfmiddlewaretoken": token[1],
                "ticket_type": type_id,
                "quantity": 1 + n % 3,
                "mode": "reserve",
            },
        ),
    )
    if held.status_code != 302:
        return False
    checkout_url = "http://127.0.0.1:" + base.split(":")[2].split("/")[0] + held.headers["location"]
    form = await visitor.step("checkout page", lambda: client.get(checkout_url))
    token = CSRF.findall(form.text)
    submitted = await visitor.step(
        "submit",
        lambda: client.post(
            checkout_url,
            data={
                "csrfmiddlewaretoken": token[-1],
                "mode": "reserve",
                "name": f"Visitor {n}",
                "email": f"visitor{n}@example.org",
                "phone": "",
                "language": "en",
            },
        ),
    )
    return submitted.status_code == 302 and "/done/" in submitted.headers.get("location", "")


async def _reads(base, event_id, date_ids, type_ids, args):  # type: ignore[no-untyped-def]
    import httpx

    limits = httpx.Limits(max_connections=args.clients + args.bookers)
    timings: dict[str, list[float]] = {}
    outcomes: Counter[str] = Counter()
    booker_timings: dict[str, list[float]] = {}
    done = asyncio.Event()
    booked = Counter[str]()

    async def booker(index: int) -> None:
        n = 0
        while not done.is_set():
            async with httpx.AsyncClient(limits=limits, timeout=60) as client:
                visitor = Visitor(client, booker_timings, Counter())
                ok = await _checkout(
                    visitor,
                    base,
                    event_id,
                    date_ids[n % len(date_ids)],
                    type_ids[n % 2],
                    1_000_000 + index * 100_000 + n,
                )
                booked["ok" if ok else "refused"] += 1
            n += 1

    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(args.reads):
        queue.put_nowait(i)

    async def reader() -> None:
        async with httpx.AsyncClient(limits=limits, timeout=60) as client:
            visitor = Visitor(client, timings, outcomes)
            while True:
                try:
                    i = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                if i % 2:
                    date_id = date_ids[i % len(date_ids)]
                    await visitor.step(
                        "availability fragment",
                        lambda d=date_id: client.get(f"{base}/dates/{d}/availability/"),
                    )
                else:
                    await visitor.step(
                        "event page", lambda: client.get(f"{base}/events/{event_id}/")
                    )

    # Warm every worker (its database connection, the templates) before measuring.
    async with httpx.AsyncClient(timeout=60) as client:
        for _ in range(4 * args.workers):
            await client.get(f"{base}/events/{event_id}/")
    bookers = [asyncio.create_task(booker(i)) for i in range(args.bookers)]
    started = time.perf_counter()
    await asyncio.gather(*(reader() for _ in range(args.clients)))
    elapsed = time.perf_counter() - started
    done.set()
    await asyncio.gather(*bookers)
    return timings, outcomes, elapsed, booked


async def _checkouts(base, event_id, date_ids, type_ids, args):  # type: ignore[no-untyped-def]
    import httpx

    timings: dict[str, list[float]] = {}
    outcomes: Counter[str] = Counter()
    whole: list[float] = []
    results: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=args.clients)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(args.checkouts):
        queue.put_nowait(i)

    async def visitor_loop() -> None:
        while True:
            try:
                n = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            async with httpx.AsyncClient(limits=limits, timeout=60) as client:
                started = time.perf_counter()
                ok = await _checkout(
                    Visitor(client, timings, outcomes),
                    base,
                    event_id,
                    date_ids[n % len(date_ids)],
                    type_ids[n % 2],
                    n,
                )
                whole.append(time.perf_counter() - started)
                results["ok" if ok else "refused"] += 1

    started = time.perf_counter()
    await asyncio.gather(*(visitor_loop() for _ in range(args.clients)))
    return timings, outcomes, time.perf_counter() - started, whole, results


def _report_reads(reads) -> None:  # type: ignore[no-untyped-def]
    timings, outcomes, elapsed, booked = reads
    total = sum(len(v) for v in timings.values())
    print(
        f"reads while booking: {total} requests in {elapsed:.1f} s = "
        f"{total / elapsed:.0f} requests/s; "
        f"checkouts meanwhile: {dict(booked)}; answers: {dict(outcomes)}"
    )
    for name, seconds in sorted(timings.items()):
        print(
            f"  {name}: {len(seconds)} requests, {len(seconds) / elapsed:.0f}/s, "
            f"p50_ms={pct(seconds, 50):.0f} p99_ms={pct(seconds, 99):.0f}"
        )


def _report_checkouts(flows) -> None:  # type: ignore[no-untyped-def]
    timings, outcomes, elapsed, whole, results = flows
    print(
        f"full checkouts: {len(whole)} in {elapsed:.1f} s = {len(whole) / elapsed:.1f} checkouts/s "
        f"p50_ms={pct(whole, 50):.0f} p99_ms={pct(whole, 99):.0f}; {dict(results)}; "
        f"answers: {dict(outcomes)}"
    )
    for name in ("event page", "hold", "checkout page", "submit"):
        seconds = timings.get(name, [])
        print(f"  {name}: p50_ms={pct(seconds, 50):.0f} p99_ms={pct(seconds, 99):.0f}")


def _check(slug: str) -> None:
    from tentative.bookings.models import Booking
    from tentative.inventory.capacity import reconcile

    bookings = Booking.objects.filter(organisation__slug=slug)
    left = bookings.filter(checkout_mode="", holds_capacity=True).count()
    submitted = bookings.filter(checkout_mode="reserve", customer__isnull=False).count()
    drift = reconcile()
    print(f"submitted={submitted} holds_left_unsubmitted={left} drift={len(drift)}")
    if left or drift:
        raise SystemExit("a hold was left behind or the pools drifted")


if __name__ == "__main__":
    main()
