"""Hot holds: many clients race to place 1-place options on one date.

    python bench/hot_holds.py --clients 64             # over HTTP, gunicorn on PostgreSQL
    python bench/hot_holds.py --clients 64 --in-process   # the action from threads, no HTTP

One date with --capacity places (1,000), --attempts tries (2,000), so demand exceeds supply.
It creates a throw-away PostgreSQL database, migrates it, serves the app with gunicorn on
127.0.0.1 (HTTP mode), fires the attempts from an asyncio client with one fresh connection
per request (gunicorn's sync workers do not keep connections alive), then checks the
database: oversold = places held beyond capacity, counted from the bookings themselves.
The last line is `bookings/s=… p50_ms=… p99_ms=… oversold=…`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid

from common import DEFAULT_SERVER, throwaway_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--attempts", type=int, default=2000)
    parser.add_argument("--capacity", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1)
    parser.add_argument("--in-process", action="store_true", help="call the action from threads")
    parser.add_argument("--server", default=os.environ.get("TENTATIVE_PG_URL", DEFAULT_SERVER))
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    if args.clients < 1 or args.attempts < 1 or args.capacity < 1 or args.workers < 1:
        parser.error("--clients, --attempts, --capacity and --workers must be positive")

    with throwaway_database(args.server, keep=args.keep) as url:
        date_id, type_id, token, actor, org_id = _setup(args.capacity)
        if args.in_process:
            latencies, ok, elapsed = _in_process(args, actor, org_id, date_id, type_id)
            label = f"in-process, {args.clients} threads"
        else:
            latencies, ok, elapsed = _over_http(args, url, token, date_id, type_id)
            label = f"HTTP, gunicorn {args.workers} sync workers, {args.clients} clients"
        oversold, held = _oversold(date_id, args.capacity)
        _report(label, args, latencies, ok, elapsed, oversold, held)


def _setup(capacity: int):  # type: ignore[no-untyped-def]
    from datetime import timedelta
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tentative.accounts.models import ApiToken, Organisation, StaffMembership
    from tentative.bookings.actor import Actor
    from tentative.catalog.models import Event, EventDate, TicketType
    from tentative.inventory.models import CapacityPool

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _over_http(args, url, token, date_id, type_id):  # type: ignore[no-untyped-def]
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tentative.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        env={**os.environ, "TENTATIVE_DATABASE_URL": url},
    )
    try:
        _wait_until_up(port)
        body = json.dumps(
            {
                "mode": "option",
                "lines": [{"event_date_id": date_id, "ticket_type_id": type_id, "quantity": 1}],
            }
        ).encode()
        return asyncio.run(_fire(port, token, body, args.attempts, args.clients))
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


async def _fire(port: int, token: str, body: bytes, attempts: int, clients: int):  # type: ignore[no-untyped-def]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    remaining = iter(range(attempts))

    async def one() -> None:
        for _ in remaining:
            request = (
                f"POST /api/v1/bookings HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Bearer {token}\r\nIdempotency-Key: {uuid.uuid4()}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                f"Connection: close\r\n\r\n"
            ).encode() + body
            started = time.perf_counter()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request)
            await writer.drain()
            status_line = await reader.readline()
            await reader.read()
            writer.close()
            latencies.append(time.perf_counter() - started)
            status = int(status_line.split()[1]) if status_line else 0
            statuses[status] = statuses.get(status, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    print(f"statuses: {dict(sorted(statuses.items()))}")
    unexpected = {s: n for s, n in statuses.items() if s not in (201, 409)}
    if unexpected:
        print(f"UNEXPECTED statuses: {unexpected}")
    return latencies, statuses.get(201, 0), elapsed


def _in_process(args, actor, org_id, date_id, type_id):  # type: ignore[no-untyped-def]
    from django.db import connection

    from tentative.bookings import actions, errors
    from tentative.core.states import State

    latencies: list[float] = []
    outcomes = {"ok": 0, "sold_out": 0, "busy": 0}
    lock = threading.Lock()
    remaining = iter(range(args.attempts))
    line = [actions.LineRequest(date_id, type_id, 1)]

    def worker() -> None:
        try:
            while True:
                with lock:
                    if next(remaining, None) is None:
                        return
                started = time.perf_counter()
                try:
                    actions.create_booking(
                        actor=actor, organisation_id=org_id, mode=State.OPTION, lines=line
                    )
                    outcome = "ok"
                except errors.SoldOut:
                    outcome = "sold_out"
                except errors.CapacityBusy:
                    outcome = "busy"
                with lock:
                    latencies.append(time.perf_counter() - started)
                    outcomes[outcome] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(args.clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    elapsed = time.perf_counter() - started
    print(f"outcomes: {outcomes}")
    return latencies, outcomes["ok"], elapsed


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


def _report(label, args, latencies, ok, elapsed, oversold, held) -> None:  # type: ignore[no-untyped-def]
    ms = sorted(x * 1000 for x in latencies)

    def pct(p: float) -> float:
        return ms[min(len(ms) - 1, int(p / 100 * len(ms)))] if ms else 0.0

    # Rate over the time it took to sell what could be sold: the successful bookings divided by
    # the run time, which includes the refused attempts after the date sold out.
    print(f"{label}: {args.attempts} attempts, {ok} booked, {held} places held of {args.capacity}")
    print(
        f"requests/s={len(ms) / elapsed:.0f} elapsed_s={elapsed:.2f} p95_ms={pct(95):.1f} "
        f"mean_ms={statistics.fmean(ms) if ms else 0:.1f}"
    )
    print(
        f"bookings/s={ok / elapsed:.0f} p50_ms={pct(50):.1f} p99_ms={pct(99):.1f}"
        f" oversold={oversold}"
    )


if __name__ == "__main__":
    main()
