"""Idempotency-Key for every mutating call: the same key and body return the first response.

The key and the response are inserted last, in the durable transaction the action joins,
so a crash leaves both or neither, and the hot path pays one INSERT. A concurrent duplicate
does the same work, then blocks on the unique index until the first commits, fails, rolls
its own work back, and answers with the stored response; a duplicate refused for lack of
places (the first took them) answers the same way. A call that failed stored nothing and
may be retried.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import IntegrityError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Status

from tentative import compiled
from tentative.api.models import IdempotencyKey
from tentative.shared.errors import DomainError, IdempotencyMismatch, InvalidInput
from tentative.shared.transactions import wrapper_transaction

HEADER = "Idempotency-Key"
KEY_TOO_LONG = _("The Idempotency-Key must be 1 to 255 printable characters.")

Result = tuple[int, dict[str, Any]]


def request_hash(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode() if request.method else b"")
    digest.update(request.get_full_path().encode())
    digest.update(b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def idempotent(view: Callable[..., Result]) -> Callable[..., Status[dict[str, Any]]]:
    """Endpoints return `(status, body)`; Ninja gets a `Status` (its tuple form is deprecated)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Status[dict[str, Any]]:
        return Status(*_once(view, request, *args, **kwargs))

    return wrapper


def _once(view: Callable[..., Result], request: HttpRequest, *args: Any, **kwargs: Any) -> Result:
    key = request.headers.get(HEADER)
    if key is None:
        return view(request, *args, **kwargs)
    if not 0 < len(key) <= 255 or not key.isprintable():
        raise InvalidInput(KEY_TOO_LONG)
    scope = f"token:{request.token_id}"  # type: ignore[attr-defined]
    fingerprint = request_hash(request)
    try:
        with wrapper_transaction():
            status, body = view(request, *args, **kwargs)
            record = IdempotencyKey(
                scope=scope, key=key, request_hash=fingerprint, status_code=status, body=body
            )
            compiled.insert([record])
        return status, body
    except (IntegrityError, DomainError):
        # A call with this key committed first (or before): answer what it answered.
        if stored := _stored(scope, key, fingerprint):
            return stored
        raise


def _stored(scope: str, key: str, fingerprint: str) -> Result | None:
    record = compiled.read_first(IdempotencyKey, scope=scope, key=key)
    if record is None:
        return None
    if record.request_hash != fingerprint:
        raise IdempotencyMismatch()
    return record.status_code or 200, record.body or {}
