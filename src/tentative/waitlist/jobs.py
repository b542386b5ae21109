"""What the waiting list gives the worker: on every turn of the loop, settle the offers
that ended (lapsed, declined, paid), then offer the freed places to the next entries.

Every turn rather than a period: a released option's places should reach the next person
within a turn of the loop (a second or so), before a visitor could notice them; while
idle, the pass costs two reads."""

from __future__ import annotations

from datetime import datetime

from tentative.waitlist.actions import offer_freed_places, settle_offers
from tentative.worker import registry


@registry.each_pass
def waiting_list(*, now: datetime, limit: int = 50) -> int:
    return settle_offers(now=now, limit=limit * 4) + offer_freed_places(now=now, limit=limit)
