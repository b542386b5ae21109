"""The outermost transaction of an action, and what runs last in it.

An action is the outermost transaction (`durable=True`), so no view can wrap it in a larger
one. The one exception is the API's idempotency wrapper, which must commit the stored
response together with the change: it opens the durable transaction itself and marks it
here, and the action joins it without a savepoint.

`at_the_end` queues a step to run as the last statements before COMMIT, whoever owns the
transaction. The create action takes capacity that way: the hot pool row is then locked for
one UPDATE and the commit, never while Python renders a response or writes the idempotency
record (with many clients on few cores, a process holding that lock gets descheduled and
every other booking of the date waits for it). A step that raises rolls everything back.
The idempotency wrapper runs the queued steps itself (`run_last_steps`), inside the
savepoint that a refusal rolls back to, and drops them when it rolls back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import OperationalError, transaction

from tentative.shared.errors import CapacityBusy

_joined: ContextVar[bool] = ContextVar("tentative_action_joins_outer", default=False)
_last: ContextVar[list[Callable[[], None]] | None] = ContextVar("tentative_last", default=None)


@contextmanager
def action_transaction() -> Iterator[None]:
    if _joined.get():
        # The wrapper's transaction is ours; a second action in it would need its own.
        token = _joined.set(False)
        try:
            with transaction.atomic(savepoint=False):
                yield
        finally:
            _joined.reset(token)
    else:
        with _owned():
            yield


@contextmanager
def wrapper_transaction() -> Iterator[None]:
    """For the idempotency wrapper only: one durable transaction the next action joins."""
    token = _joined.set(True)
    try:
        with _owned():
            yield
    finally:
        _joined.reset(token)


@contextmanager
def next_action_joins() -> Iterator[None]:
    """Inside an action: the next action called joins this transaction instead of refusing to
    nest, so both commit or neither (a payment that confirms the booking it paid for)."""
    token = _joined.set(True)
    try:
        yield
    finally:
        _joined.reset(token)


def at_the_end(step: Callable[[], None]) -> None:
    """Run `step` last in the current action's transaction, just before it commits."""
    steps = _last.get()
    if steps is None:
        raise RuntimeError("at_the_end() needs an action_transaction()")
    steps.append(step)


def run_last_steps() -> None:
    """Run the steps queued so far now, in order, instead of just before COMMIT.

    For the idempotency wrapper: a step's refusal (a sold-out take) must fall inside the
    savepoint it rolls back to, so that it can store that refusal and commit its key.
    """
    steps = _steps()
    while steps:
        steps.pop(0)()


def drop_last_steps() -> None:
    """Forget the queued steps: the writes they finish were rolled back to a savepoint."""
    _steps().clear()


def _steps() -> list[Callable[[], None]]:
    steps = _last.get()
    if steps is None:
        raise RuntimeError("no action_transaction() or wrapper_transaction() is open")
    return steps


@contextmanager
def _owned() -> Iterator[None]:
    token = _last.set([])
    try:
        with transaction.atomic(durable=True):
            yield
            for step in _last.get() or []:
                step()
    except OperationalError as error:
        # lock_timeout or a detected deadlock on PostgreSQL, in any action: a typed,
        # retryable 409 rather than a 500 or a hang. The transaction has rolled back.
        if "lock timeout" in str(error) or "deadlock detected" in str(error):
            raise CapacityBusy() from error
        raise
    finally:
        _last.reset(token)
