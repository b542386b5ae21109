"""What the apps give the worker, registered from each app's `jobs.py`.

- a **periodic job** runs once per period whatever the number of workers (`ScheduleRun`);
- a **pass** runs on every turn of the loop before delivery (the notifications' fan-out);
- a **courier** delivers one kind of outbox message, outside any transaction.

The worker imports no app: an app adds work here without the worker knowing of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from tentative.outbox.models import OutboxMessage
from tentative.outbox.retries import Outcome

Run = TypeVar("Run", bound=Callable[[datetime], object])


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[datetime], object]
    every: timedelta | None  # None: as often as the worker sweeps (`--sweep-every`)


class Courier(Protocol):
    """Delivers messages of one kind for one batch; closed when the batch ends."""

    def deliver(self, message: OutboxMessage) -> Outcome: ...

    def close(self) -> None: ...


Pass = Callable[..., int]  # (*, now: datetime, limit: int) -> how many items it did

jobs: dict[str, Job] = {}
passes: list[Pass] = []
couriers: dict[str, Callable[[float], Courier]] = {}  # kind -> courier(timeout)


def periodic(name: str, *, every: timedelta | None = None) -> Callable[[Run], Run]:
    """Register `run(now)` to run once per `every` (by default, the worker's sweep period)."""

    def register(run: Run) -> Run:
        jobs[name] = Job(name, run, every)
        return run

    return register


def each_pass(work: Pass) -> Pass:
    """Register `work(now=, limit=)` to run on every turn of the loop, before delivery."""
    if work not in passes:
        passes.append(work)
    return work


def courier(kind: str, make: Callable[[float], Courier]) -> None:
    """Register what delivers outbox messages of `kind`, made with the worker's timeout."""
    couriers[kind] = make
