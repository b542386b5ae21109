"""Payment notifications (issue 10): every payment captured once however often it is told.

    python bench/payments.py --clients 32              # over HTTP, gunicorn on PostgreSQL

--payments (1,000) options of one 40.00 ticket each, each with a simulated card payment in
state created, made by the real actions (`create_booking`, `record_payment`) in a throw-away
PostgreSQL database. Then each payment's "captured" notification is posted twice to
`POST /api/v1/payments/notifications/simulated` (2,000 in a shuffled order), each signed
when it is sent with the secret the server uses (`TENTATIVE_SIMULATED_PAYMENTS_SECRET`, set
explicitly for both: from the environment, else a random one for this run), by --clients
(32) concurrent clients against gunicorn with --workers sync workers (cores + 1), through
the same non-blocking socket client as bench/hot_holds.py.

Afterwards, in SQL: every payment captured, one ProviderEvent per payment, exactly one
`payment.captured` outbox event per payment, every booking confirmed once (one
`booking.confirmed` outbox event each); any miss fails the run. The last line is
`notifications/s=… p50_ms=… p99_ms=… applied=… duplicates=… double_counted=…`:
notifications answered divided by the time from the first sent to the last answered,
the latency of every notification, and the payments captured more than once.

Before the run each worker answers a few notifications for an unknown payment (404, so
the server logs `Not Found` lines), which opens its database connection.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
from collections import Counter
from collections.abc import Iterator

from common import DEFAULT_SERVER, fire, gunicorn, pct, status_and_code, throwaway_database

PATH = "/api/v1/payments/notifications/simulated"
PRICE = "40.00"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--payments", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1)
    parser.add_argument("--server", default=os.environ.get("TENTATIVE_PG_URL", DEFAULT_SERVER))
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    if args.payments < 1 or args.clients < 1 or args.workers < 1:
        parser.error("--payments, --clients and --workers must be positive")
    # Before Django is set up, so that this process and gunicorn's workers sign with one key.
    os.environ.setdefault("TENTATIVE_SIMULATED_PAYMENTS_SECRET", secrets.token_hex(32))

    with throwaway_database(args.server, keep=args.keep) as url:
        from django.conf import settings

        secret = os.environ["TENTATIVE_SIMULATED_PAYMENTS_SECRET"]
        if secret != settings.SIMULATED_PAYMENTS_SECRET:
            raise SystemExit("the server's signing secret is not the client's")
        references = _setup(args.payments)
        rng = random.Random(10)  # the same notifications in the same order on every run
        events = [(f"evt_{i}", ref) for i, ref in enumerate(references) for _ in range(2)]
        rng.shuffle(events)
        with gunicorn(url, args.workers) as port:
            # Unknown payments (404): every worker opens its database connection first.
            warm = [(f"warm_{i}", "pay_unknown") for i in range(10 * args.workers)]
            fire(port, _notifications(warm), 1)
            results = fire(port, _notifications(events), args.clients, _outcome)
        checks = _checks(args.payments)
        label = f"HTTP, gunicorn {args.workers} sync workers, {args.clients} clients"
        _report(label, args, results, checks)


def _setup(count: int) -> list[str]:
    """`count` options of one ticket, each with a simulated card payment for its price in
    state created; returns the payments' references."""
    from datetime import timedelta
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from tentative.accounts.models import Organisation, StaffMembership
    from tentative.bookings.actions import LineRequest, create_booking
    from tentative.catalog.models import Event, EventDate, TicketType
    from tentative.core.states import State
    from tentative.inventory.models import CapacityPool
    from tentative.payments.actions import record_payment
    from tentative.shared.actor import Actor

    org = Organisation.objects.create(name="Bench", slug="bench", time_zone="Europe/Paris")
    user = get_user_model().objects.create_user("bench")
    membership = StaffMembership.objects.create(user=user, organisation=org, role="owner")
    actor = Actor.staff(membership, via="bench")
    event = Event.objects.create(organisation=org, name="Paid date")
    starts = timezone.now() + timedelta(days=30)
    date = EventDate.objects.create(
        event=event, starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    ticket = TicketType.objects.create(
        event=event, name="Standard", price=Decimal(PRICE), deadline_days_after_booking=5
    )
    CapacityPool.objects.create(organisation=org, event_date=date, capacity=count)
    line = [LineRequest(date.id, ticket.id, 1)]
    references = []
    for _ in range(count):
        booking = create_booking(actor=actor, organisation_id=org.id, mode=State.OPTION, lines=line)
        payment = record_payment(booking.id, actor=actor, amount=Decimal(PRICE), method="card")
        references.append(payment.reference)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh tables: plan with real statistics (PERFORMANCE.md)
    return references


def _notifications(events: list[tuple[str, str]]) -> Iterator[bytes]:
    """The simulated processor's "captured" notification of each (event id, payment),
    signed as it is sent."""
    from django.utils import timezone

    from tentative.payments.providers.simulated import HEADER, signature

    for event_id, reference in events:
        body = json.dumps(
            {"id": event_id, "payment": reference, "state": "captured", "captured": PRICE}
        ).encode()
        yield (
            f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"{HEADER}: {signature(body, at=timezone.now())}\r\n"
            f"Connection: close\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode() + body


def _outcome(response: bytes) -> str:
    """'applied', 'duplicate' or 'stale' for a 200; else the status and error code."""
    found = re.search(rb'"outcome": ?"([a-z]+)"', response)
    if response.startswith(b"HTTP/1.1 200") and found:
        return found[1].decode()
    return status_and_code(response)


OUTBOX_SQL = "SELECT {} FROM outbox_outboxmessage WHERE kind = 'event' AND topic = '{}'"
# Each a count that must equal the number of payments.
CHECKS_SQL = {
    "payments": "SELECT count(*) FROM payments_payment",
    "payments captured in full": """
        SELECT count(*) FROM payments_payment WHERE state = 'captured' AND captured = amount""",
    "provider events": "SELECT count(*) FROM payments_providerevent",
    "payments with a provider event": """
        SELECT count(DISTINCT payment_id) FROM payments_providerevent""",
    "bookings confirmed": "SELECT count(*) FROM bookings_booking WHERE state = 'confirmed'",
}
for _topic in ("payment.captured", "booking.confirmed"):  # one payment per booking
    CHECKS_SQL[f"{_topic} outbox events"] = OUTBOX_SQL.format("count(*)", _topic)
    CHECKS_SQL[f"bookings with a {_topic} event"] = OUTBOX_SQL.format(
        "count(DISTINCT booking_id)", _topic
    )


def _checks(payments: int) -> dict[str, int]:
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        for name, sql in CHECKS_SQL.items():
            cursor.execute(sql)
            counts[name] = cursor.fetchone()[0]
    return counts


def _report(label, args, results, checks) -> None:  # type: ignore[no-untyped-def]
    """notifications/s counts every notification answered (applied and duplicate alike),
    over the time from the first sent to the last answered; p50/p99 are their latencies."""
    outcomes = Counter(outcome for _, _, outcome in results)
    every = [answered - sent for sent, answered, _ in results]
    run = max(answered for _, answered, _ in results)
    errors = sum(n for o, n in outcomes.items() if o not in ("applied", "duplicate", "stale"))
    print(f"outcomes: {dict(sorted(outcomes.items()))}")
    print(
        f"{label}: {len(results)} notifications of {args.payments} payments, "
        f"applied={outcomes['applied']} duplicate={outcomes['duplicate']} "
        f"stale={outcomes['stale']} errors={errors}"
    )
    failed = []
    for name, count in checks.items():
        print(f"  {name}: {count}{'' if count == args.payments else ' FAILED'}")
        if count != args.payments:
            failed.append(name)
    double_counted = (
        checks["payment.captured outbox events"] - checks["bookings with a payment.captured event"]
    )
    print(
        f"all notifications: {len(every)} in {run:.2f} s, p95_ms={pct(every, 95):.1f} "
        f"max_ms={pct(every, 100):.1f}"
    )
    print(
        f"notifications/s={len(every) / run:.0f} p50_ms={pct(every, 50):.1f} "
        f"p99_ms={pct(every, 99):.1f} applied={outcomes['applied']} "
        f"duplicates={outcomes['duplicate']} double_counted={double_counted}"
    )
    if failed or errors or outcomes["applied"] != args.payments:
        raise SystemExit(f"FAILED: {', '.join(failed) or 'outcomes'}")


if __name__ == "__main__":
    main()
