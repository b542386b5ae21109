"""Many callers at once against the real database, and a watcher reading it meanwhile.

Each thread opens its own connection and closes it in a `finally` (Django keeps one per
thread, and a leaked one would keep the test database from being dropped). Every thread
waits at a barrier so they really start together, and every join has a timeout: a hang is
a failure, never a stuck CI job.
"""

from __future__ import annotations

import queue
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from tentative.bookings.errors import IllegalTransition, SoldOut
from tentative.bookings.models import Booking, BookingLine
from tentative.inventory.models import CapacityPool, Hold
from tentative.shared.errors import CapacityBusy

# The only refusals a caller may meet in a race: anything else is a bug.
ACCEPTABLE: tuple[type[Exception], ...] = (SoldOut, IllegalTransition, CapacityBusy)
JOIN_TIMEOUT = 120.0


@dataclass
class Outcomes:
    counts: Counter[str] = field(default_factory=Counter)  # "ok:<label>" or the error's name
    results: list[Any] = field(default_factory=list)  # what the successful tasks returned
    unexpected: list[BaseException] = field(default_factory=list)


Task = tuple[str, Callable[[], Any]]  # (label, call)


def race(
    tasks: Iterable[Task],
    *,
    threads: int,
    accept: tuple[type[Exception], ...] = ACCEPTABLE,
    timeout: float = JOIN_TIMEOUT,
) -> Outcomes:
    """Run the tasks on `threads` threads that start together and pull from one queue."""
    work: queue.SimpleQueue[Task] = queue.SimpleQueue()
    for task in tasks:
        work.put(task)
    outcomes = Outcomes()
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def worker() -> None:
        try:
            start.wait(timeout=30)
            while True:
                try:
                    label, call = work.get_nowait()
                except queue.Empty:
                    return
                try:
                    result = call()
                except accept as refused:
                    with lock:
                        outcomes.counts[type(refused).__name__] += 1
                except BaseException as error:  # reported by the test
                    with lock:
                        outcomes.unexpected.append(error)
                        outcomes.counts["unexpected"] += 1
                else:
                    with lock:
                        outcomes.counts[f"ok:{label}"] += 1
                        outcomes.results.append(result)
        except BaseException as error:  # a broken barrier: reported
            with lock:
                outcomes.unexpected.append(error)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in pool), f"a thread hung: {outcomes.counts}"
    return outcomes


class Sampler:
    """Reads `check()` in a loop on its own connection while the race runs.

    `check` returns what it found wrong (empty: all is well); the sampler keeps the first
    problems and counts its samples (and those that found something), so a test can insist
    that it really looked. A control run, which expects problems, passes `strict=False` and
    reads `problems` and `bad_samples` itself.
    """

    def __init__(self, check: Callable[[], list[str]], *, strict: bool = True) -> None:
        self.check = check
        self.strict = strict
        self.samples = 0
        self.bad_samples = 0
        self.problems: list[str] = []
        self.errors: list[BaseException] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                found = self.check()
                self.samples += 1
                self.bad_samples += bool(found)
                if found and len(self.problems) < 20:
                    self.problems.extend(found)
        except BaseException as error:  # reported by __exit__
            self.errors.append(error)
        finally:
            connection.close()

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        assert not self._thread.is_alive(), "the sampler hung"
        assert not self.errors, self.errors
        if self.strict:
            assert not self.problems, self.problems[:5]


# One statement, so one snapshot: the pool's counters and what its holders hold, read at
# the same instant (READ COMMITTED on PostgreSQL, a WAL read snapshot on SQLite).
POOL_SQL = f"""
SELECT p.capacity, p.taken, p.set_aside,
       (SELECT COALESCE(SUM(h.quantity), 0)
          FROM {Hold._meta.db_table} h
          JOIN {BookingLine._meta.db_table} l ON l.id = h.line_id
          JOIN {Booking._meta.db_table} b ON b.id = l.booking_id
         WHERE h.pool_id = p.id AND b.holds_capacity)
  FROM {CapacityPool._meta.db_table} p
 WHERE p.id = %s
"""


def pool_figures(pool_id: int) -> tuple[int, int, int, int]:
    """(capacity, taken, set_aside, held by capacity-holding bookings), in one snapshot."""
    with connection.cursor() as cursor:
        cursor.execute(POOL_SQL, [pool_id])
        capacity, taken, set_aside, held = cursor.fetchone()
    return capacity, taken, set_aside, held


def pool_problems(pool_id: int) -> list[str]:
    capacity, taken, set_aside, held = pool_figures(pool_id)
    found = []
    if taken + set_aside > capacity:
        found.append(f"oversold: taken {taken} + set aside {set_aside} > {capacity}")
    if taken != held:
        found.append(f"ledger: taken {taken} but holders hold {held}")
    return found
