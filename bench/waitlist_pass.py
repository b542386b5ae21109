"""The waiting list's worker pass and its gate, on PostgreSQL.

    python bench/waitlist_pass.py                  # 1,000 waiting, 200 places freed, 5 rounds
    python bench/waitlist_pass.py --waiting 5000 --freed 500

1. A throw-away database; per round, a date full of staff options of one place, --waiting
   entries on its waiting list (one place each), then --freed options released.
2. **The pass**: `settle_offers` + `offer_freed_places` once (as the worker's turn does);
   prints the seconds and the offers per second, and checks in SQL that exactly --freed
   entries hold an offer and the pool is full.
3. **Idle pass**: the same pass with nothing to do (what every worker turn costs), median
   of 200 runs.
4. **The gate**: a customer's refused booking on the full date with people waiting, and a
   staff booking (which skips it) on a date with room: median seconds of 200 each.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import time

from common import DEFAULT_SERVER, throwaway_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--waiting", type=int, default=1000)
    parser.add_argument("--freed", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--server", default=os.environ.get("TENTATIVE_PG_URL", DEFAULT_SERVER))
    args = parser.parse_args()
    if not 1 <= args.freed <= args.waiting:
        parser.error("need 1 <= --freed <= --waiting")
    with throwaway_database(args.server):
        _run(args)


def _run(args: argparse.Namespace) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from tentative.accounts.models import Customer, Organisation, StaffMembership
    from tentative.bookings import actions
    from tentative.bookings.actions import LineRequest
    from tentative.bookings.errors import SoldOut
    from tentative.catalog.models import Event, EventDate, TicketType
    from tentative.core.states import State
    from tentative.inventory.models import CapacityPool
    from tentative.shared.actor import Actor
    from tentative.waitlist.actions import offer_freed_places, settle_offers
    from tentative.waitlist.errors import KeptForWaitingList
    from tentative.waitlist.models import WaitlistEntry

    org = Organisation.objects.create(name="Bench", slug="bench", time_zone="Europe/Paris")
    user = get_user_model().objects.create_user("bench-owner", password="bench")
    owner = Actor.staff(StaffMembership.objects.create(user=user, organisation=org, role="owner"))
    customer = Customer.objects.create(organisation=org, name="C", email="c@example.org")
    now = timezone.now()
    timings = []
    date = ticket = None
    for _round in range(args.rounds):
        event = Event.objects.create(organisation=org, name="Full")
        ticket = TicketType.objects.create(event=event, name="T", price=10)
        date = EventDate.objects.create(
            event=event,
            starts_at=now + timezone.timedelta(days=30),
            ends_at=now + timezone.timedelta(days=30, hours=2),
        )
        pool = CapacityPool.objects.create(organisation=org, event_date=date, capacity=args.freed)
        held = [
            actions.create_booking(
                actor=owner,
                organisation_id=org.id,
                mode=State.OPTION,
                lines=[LineRequest(date.id, ticket.id, 1)],
                now=now,
            )
            for _ in range(args.freed)
        ]
        WaitlistEntry.objects.bulk_create(
            WaitlistEntry(
                organisation=org,
                event_date=date,
                customer=customer,
                name=f"W{i}",
                email=f"w{i}@example.org",
                quantity=1,
                created_at=now,
                updated_at=now,
            )
            for i in range(args.waiting)
        )
        for booking in held:
            actions.cancel_booking(booking.id, actor=owner, reason="bench", now=now)
        start = time.perf_counter()
        settle_offers(now=now)
        offered = offer_freed_places(now=now)
        timings.append(time.perf_counter() - start)
        pool.refresh_from_db()
        count = WaitlistEntry.objects.filter(event_date=date, state="offered").count()
        assert offered == count == args.freed and pool.taken == pool.capacity, (offered, count)
    median = statistics.median(timings)
    print(
        f"pass: {args.freed} offers among {args.waiting} waiting: median {median:.3f} s"
        f" ({args.freed / median:.0f} offers/s) over {args.rounds} rounds"
        f" [{', '.join(f'{t:.3f}' for t in timings)}]"
    )

    idle = []
    for _ in range(200):
        start = time.perf_counter()
        settle_offers(now=now)
        offer_freed_places(now=now)
        idle.append(time.perf_counter() - start)
    print(f"idle pass (every worker turn): median {statistics.median(idle) * 1000:.2f} ms")

    # The gate: the last full date still has people waiting.
    refused, staff_ok = [], []
    roomy = EventDate.objects.create(
        event=date.event,  # type: ignore[union-attr]
        starts_at=now + timezone.timedelta(days=31),
        ends_at=now + timezone.timedelta(days=31, hours=2),
    )
    CapacityPool.objects.create(organisation=org, event_date=roomy, capacity=100_000)
    visitor = Actor.customer(customer)
    for _ in range(200):
        start = time.perf_counter()
        with contextlib.suppress(KeptForWaitingList, SoldOut):
            actions.create_booking(
                actor=visitor,
                organisation_id=org.id,
                mode=State.OPTION,
                lines=[LineRequest(date.id, ticket.id, 1)],  # type: ignore[union-attr]
            )
        refused.append(time.perf_counter() - start)
        start = time.perf_counter()
        actions.create_booking(
            actor=owner,
            organisation_id=org.id,
            mode=State.OPTION,
            lines=[LineRequest(roomy.id, ticket.id, 1)],  # type: ignore[union-attr]
        )
        staff_ok.append(time.perf_counter() - start)
    print(
        f"customer refused on a date with people waiting: median"
        f" {statistics.median(refused) * 1000:.2f} ms; staff booking (no gate query):"
        f" median {statistics.median(staff_ok) * 1000:.2f} ms"
    )
    connection.close()


if __name__ == "__main__":
    main()
