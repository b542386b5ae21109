"""Give a staff member a new private calendar address (issue 13 item 5).

The first call creates the feed; every later one replaces its secret, so the address given
out before stops working at once (a lost phone, a shared link). Each staff member resets
their own address only: it reads their diary.
"""

from __future__ import annotations

from datetime import datetime

from tentative.accounts.actions._common import record
from tentative.accounts.models import CalendarFeed, StaffMembership, new_feed_token
from tentative.shared.actor import Actor, ActorKind
from tentative.shared.clock import now_or
from tentative.shared.errors import Forbidden
from tentative.shared.transactions import action_transaction


def reset_calendar_feed(*, actor: Actor, now: datetime | None = None) -> CalendarFeed:
    now = now_or(now)
    if actor.kind != ActorKind.STAFF or actor.user_id is None:
        raise Forbidden()
    with action_transaction():
        membership = (
            StaffMembership.objects.select_for_update(no_key=True)
            .filter(organisation_id=actor.organisation_id, user_id=actor.user_id)
            .get()
        )
        feed = CalendarFeed.objects.filter(membership=membership).first()
        created = feed is None
        if feed is None:
            feed = CalendarFeed(membership=membership, created_at=now)
        feed.token = new_feed_token()
        feed.created_at = now
        feed.save()
        record(
            membership.organisation_id,
            actor=actor,
            verb="calendar_feed_created" if created else "calendar_feed_reset",
            at=now,
            data={"membership": membership.id, "user": actor.label},
        )
    return feed
