"""Expire one batch of lapsed bookings for the sweep, in SQL, without loading them.

The same change as `expire_lapsed` (state, capacity, one audit entry and one outbox event
per booking, in one transaction), written for volume: `expire_lapsed` reads every booking
into Python and builds the audit and outbox rows there, which took 27 s for 100,000
options (bench/sweep.py). On PostgreSQL this does lock → check → move → audit → outbox in
one statement of data-modifying CTEs, then gives the places back; elsewhere (SQLite, the
embedded setup, never at that volume) it is `expire_lapsed` itself.

Rows another transaction holds (a customer paying right now) are skipped, not waited for:
that transaction is deciding on them, and the next sweep looks again.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from tentative.audit.models import AuditEntry
from tentative.bookings.actions._lapsed import EXPIRABLE
from tentative.bookings.actions.expire import expire_lapsed
from tentative.bookings.models import Booking
from tentative.core.deadlines import AtLimit
from tentative.core.states import Action, State
from tentative.inventory import capacity
from tentative.outbox import topics
from tentative.outbox.models import OutboxMessage
from tentative.shared.transactions import action_transaction

_SQL = """
WITH picked AS (
    SELECT id, state, holds_capacity FROM {booking}
    WHERE state = ANY(%(states)s) AND at_limit = %(release)s AND deadline_enforced <= %(now)s
    ORDER BY id LIMIT %(limit)s
    FOR NO KEY UPDATE SKIP LOCKED
), moved AS (
    UPDATE {booking} AS b SET state = %(expired)s, holds_capacity = false, updated_at = %(now)s
    FROM picked WHERE b.id = picked.id
    RETURNING b.id, b.organisation_id, b.reference, picked.state AS from_state,
              picked.holds_capacity AS held
), audit AS (
    INSERT INTO {audit} (organisation_id, booking_id, at, actor_kind, actor_user_id,
                         actor_label, action, from_state, to_state, reason, data)
    SELECT organisation_id, id, %(now)s, 'system', NULL, %(label)s, %(action)s, from_state,
           %(expired)s, '', '{{}}'::jsonb
    FROM moved
), events AS (
    INSERT INTO {outbox} (organisation_id, booking_id, kind, topic, payload, status,
                          message_id, attempts, available_at, created_at, last_error)
    SELECT organisation_id, id, 'event', %(topic)s,
           jsonb_build_object('booking', reference, 'state', %(expired)s,
                              'actor', 'system', 'from_state', from_state),
           'pending', gen_random_uuid(), 0, %(now)s, %(now)s, ''
    FROM moved
)
SELECT id, held FROM moved
"""


def expire_lapsed_batch(*, now: datetime, limit: int) -> list[int]:
    """Expire up to `limit` lapsed bookings; returns their ids (fewer: nothing more to do)."""
    if connection.vendor != "postgresql":
        return expire_lapsed(now=now, limit=limit)
    sql = _SQL.format(
        booking=Booking._meta.db_table,
        audit=AuditEntry._meta.db_table,
        outbox=OutboxMessage._meta.db_table,
    )
    with action_transaction(), connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "states": EXPIRABLE,
                "release": AtLimit.RELEASE.value,
                "now": now,
                "limit": limit,
                "expired": State.EXPIRED.value,
                "label": "deadline",  # Actor.system("deadline"), as expire_lapsed records it
                "action": Action.EXPIRE.value,
                "topic": topics.BOOKING_EXPIRED,
            },
        )
        rows = cursor.fetchall()
        holding = [booking_id for booking_id, held in rows if held]
        if holding:
            capacity.give_back_bookings(holding)
    return [booking_id for booking_id, _ in rows]
