"""Rules of the apps above bookings that may refuse a new booking before it is written.

The bookings app sits below the waiting list, so it cannot ask it "do people wait for these
places?". The waiting list registers a gate here at start-up instead (its `apps.py`), as
apps give the worker their jobs: the rule is then enforced by the engine's create action,
whichever face books, not only by the page that shows "Sold out — join the waiting list".

A gate is called with the actor, the resolved lines (their pools' free places as read) and
`now`, only for bookings that take places; it raises a `DomainError` to refuse.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from tentative.bookings.offers import Resolved
from tentative.shared.actor import Actor

Gate = Callable[[Actor, Resolved, datetime], None]

gates: list[Gate] = []


def register(gate: Gate) -> Gate:
    if gate not in gates:
        gates.append(gate)
    return gate


def check(actor: Actor, resolved: Resolved, *, now: datetime) -> None:
    for gate in gates:
        gate(actor, resolved, now)
