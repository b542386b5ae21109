"""Idempotency-Key for every mutating call: the same key and body return the first answer.

The key is claimed first: its row is the first INSERT of the durable transaction the action
joins, so a concurrent duplicate waits on that row until the first attempt has committed
or rolled back, and no duplicate ever answers while the first is still running. The action
then runs in a savepoint, its last steps (the capacity take) included, and the answer is
stored on the key row in the same transaction:

- a success stores its response with the change; both commit or neither does;
- a refusal (a `DomainError`: sold out, not enough free places, an illegal transition, not
  found...) rolls the action back to the savepoint, stores the refusal and commits the key.
  Every repeat of the key then answers that refusal too, even after places come free: a
  client that retries after a timeout is told what its first attempt got, never "sold out"
  while that attempt holds places (nor a booking its first attempt was refused). To try
  again after a refusal, send a new key;
- a `CapacityBusy` (a lock timeout: "try again") and any crash roll everything back,
  the key included: nothing was decided, and the same key may be retried.

A duplicate that finds the key committed answers its stored response; with another body, a
422 `idempotency_key_reused`. The hot path pays two statements for this: the claim and the
UPDATE that stores the answer (tests/api/test_bookings_api.py pins the count).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Status

from tentative import compiled
from tentative.api.errors import refusal
from tentative.api.models import IdempotencyKey
from tentative.shared.errors import CapacityBusy, DomainError, IdempotencyMismatch, InvalidInput
from tentative.shared.transactions import drop_last_steps, run_last_steps, wrapper_transaction

HEADER = "Idempotency-Key"
KEY_TOO_LONG = _("The Idempotency-Key must be 1 to 255 printable characters.")
# Refusals that decide nothing: "try again" is no answer to keep for the key.
NOT_STORED: tuple[type[DomainError], ...] = (CapacityBusy,)

Result = tuple[int, dict[str, Any]]
STORE = "UPDATE {} SET {} = %s, {} = %s WHERE {} = %s"
CLAIM = "INSERT INTO {} ({}) VALUES (%s, %s, %s, %s) ON CONFLICT ({}) DO NOTHING RETURNING {}"


def request_hash(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode() if request.method else b"")
    digest.update(request.get_full_path().encode())
    digest.update(b"\0")
    if request.content_type == "multipart/form-data":
        # Uploads (session photos): the fields and each file's bytes, read from the parsed
        # upload rather than `request.body`, which would hold the whole request in memory
        # and refuse it past DATA_UPLOAD_MAX_MEMORY_SIZE.
        for name, values in sorted(request.POST.lists()):
            digest.update(f"{name}={values!r}\0".encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest.update(f"{name}:{upload.name}:{upload.size}\0".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
        return digest.hexdigest()
    digest.update(request.body)
    return digest.hexdigest()


def idempotent(
    view: Callable[..., Result],
) -> Callable[..., Status[dict[str, Any]] | HttpResponse]:
    """Endpoints return `(status, body)`; Ninja gets a `Status` (its tuple form is deprecated).
    A refusal (stored, or repeated from the store) leaves as the exception handler writes it,
    `{code, message}`, rather than through the operation's response schema."""

    @wraps(view)
    def wrapper(
        request: HttpRequest, *args: Any, **kwargs: Any
    ) -> Status[dict[str, Any]] | HttpResponse:
        status, body = _once(view, request, *args, **kwargs)
        if status >= 400:
            return JsonResponse(body, status=status)
        return Status(status, body)

    return wrapper


def _once(view: Callable[..., Result], request: HttpRequest, *args: Any, **kwargs: Any) -> Result:
    key = request.headers.get(HEADER)
    if key is None:
        return view(request, *args, **kwargs)
    if not 0 < len(key) <= 255 or not key.isprintable():
        raise InvalidInput(KEY_TOO_LONG)
    scope = f"token:{request.token_id}"  # type: ignore[attr-defined]
    fingerprint = request_hash(request)
    with wrapper_transaction():
        record_id = _claim(scope, key, fingerprint)
        if record_id is None:
            # Another call with this key committed first (waiting for it if it was running).
            return _stored(scope, key, fingerprint)
        # A savepoint: a refusal undoes the action, not the claim. It is never released on
        # success (COMMIT releases it): RELEASE would be one more round trip on the hot path,
        # with the pool rows locked by then.
        savepoint = transaction.savepoint()
        try:
            status, body = view(request, *args, **kwargs)
            _store(record_id, status, body)
            run_last_steps()  # the take: the pool rows stay locked for it and COMMIT only
        except DomainError as refused:
            if isinstance(refused, NOT_STORED):
                raise
            # The action's joined block marked the whole transaction for rollback as the
            # error left it; rolled back to the savepoint, the claim is sound and commits.
            transaction.set_rollback(False)
            transaction.savepoint_rollback(savepoint)
            drop_last_steps()
            status, body = refused.status, refusal(refused)
            _store(record_id, status, body)
    return status, body


def _claim(scope: str, key: str, fingerprint: str) -> int | None:
    """INSERT the key row, or wait for the transaction holding it; None if it was taken.

    On PostgreSQL, ON CONFLICT waits for an uncommitted row with the same key: if its
    transaction commits, nothing is inserted; if it rolls back, this INSERT goes ahead. On
    SQLite, IMMEDIATE transactions take turns, so the row is committed or absent.
    """
    meta = IdempotencyKey._meta
    quote = connection.ops.quote_name
    columns = [meta.get_field(name).column for name in ("scope", "key", "request_hash")]
    created_at = meta.get_field("created_at")
    sql = CLAIM.format(
        quote(meta.db_table),
        ", ".join(quote(column) for column in [*columns, created_at.column]),
        ", ".join(quote(column) for column in columns[:2]),  # the one_use_per_key constraint
        quote(meta.pk.column),  # type: ignore[union-attr]
    )
    now = created_at.get_db_prep_save(timezone.now(), connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [scope, key, fingerprint, now])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _store(record_id: int, status: int, body: dict[str, Any]) -> None:
    """The answer, on the claimed row. Plain SQL with the fields' own conversions: the ORM
    spent 0.9 ms of Python building this UPDATE on every keyed booking (cProfile)."""
    meta = IdempotencyKey._meta
    status_field, body_field = meta.get_field("status_code"), meta.get_field("body")
    quote = connection.ops.quote_name
    sql = STORE.format(
        quote(meta.db_table),
        quote(status_field.column),
        quote(body_field.column),
        quote(meta.pk.column),  # type: ignore[union-attr]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                status_field.get_db_prep_save(status, connection),
                body_field.get_db_prep_save(body, connection),
                record_id,
            ],
        )


def _stored(scope: str, key: str, fingerprint: str) -> Result:
    record = compiled.read_first(IdempotencyKey, scope=scope, key=key)
    if record is None:  # committed moments ago, gone now: no sweep deletes keys yet
        raise RuntimeError(f"idempotency key {scope}:{key} vanished")
    if record.request_hash != fingerprint:
        raise IdempotencyMismatch()
    return record.status_code or 200, record.body or {}
