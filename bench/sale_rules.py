"""How long `core.sales.decide` takes to settle one ticket type among many overlapping
sales profiles (what a public page pays per ticket type, on top of reading the rules once).

    .venv/bin/python bench/sale_rules.py

Prints decisions per second for 0, 10, 50 and 200 profiles of 3 items each.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from tentative.core.sales import Item, Product, Profile, Scope, decide

T0 = datetime(2027, 3, 1, 12, tzinfo=UTC)


def profiles(n: int, rnd: random.Random) -> list[Profile]:
    out = []
    for pid in range(1, n + 1):
        starts = T0 - timedelta(days=rnd.randint(0, 60)) if rnd.random() < 0.7 else None
        ends = T0 + timedelta(days=rnd.randint(1, 60)) if rnd.random() < 0.7 else None
        items = tuple(
            Item(
                scope := rnd.choice(list(Scope)),
                None if scope == Scope.ALL else rnd.randint(1, 20),
                rnd.random() < 0.8,
                rnd.random() < 0.5,
            )
            for _ in range(3)
        )
        out.append(
            Profile(
                pid,
                frozenset(rnd.sample(["web", "box_office", "b2b"], rnd.randint(0, 2))),
                frozenset(rnd.sample([1, 2, 3], rnd.randint(0, 2))),
                starts,
                ends,
                rnd.randint(0, 3),
                items,
            )
        )
    return out


def main() -> None:
    rnd = random.Random(7)
    for n in (0, 10, 50, 200):
        rules = profiles(n, rnd)
        runs = 20_000
        start = time.perf_counter()
        for i in range(runs):
            decide(
                rules,
                product=Product(event_id=i % 20 + 1, ticket_type_id=i % 20 + 1),
                channel="web",
                audience=None,
                at=T0,
                reservable_by_terms=True,
                may_reserve_here=True,
            )
        spent = time.perf_counter() - start
        print(
            f"{n:4d} profiles: {runs / spent:10.0f} decisions/s ({spent / runs * 1e6:.1f} µs each)"
        )


if __name__ == "__main__":
    main()
