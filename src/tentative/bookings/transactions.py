"""The outermost transaction of an action.

An action is the outermost transaction (`durable=True`), so no view can wrap it in a larger
one. The one exception is the API's idempotency wrapper, which must commit the stored
response together with the change: it opens the durable transaction itself and marks it
here, and the action joins it without a savepoint.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

_joined: ContextVar[bool] = ContextVar("tentative_action_joins_outer", default=False)


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
        with transaction.atomic(durable=True):
            yield


@contextmanager
def wrapper_transaction() -> Iterator[None]:
    """For the idempotency wrapper only: one durable transaction the next action joins."""
    token = _joined.set(True)
    try:
        with transaction.atomic(durable=True):
            yield
    finally:
        _joined.reset(token)
