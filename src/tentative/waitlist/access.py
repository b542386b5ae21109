"""The only ways to fetch a waiting list entry: by its token (the visitor's link), or for an
actor (staff of the organisation, the system); and who may manage a list.

An entry of another organisation, or a token that does not exist, is 'not found': the
answer never tells whether something exists elsewhere.
"""

from __future__ import annotations

from django.db.models import QuerySet

from tentative.shared.actor import Actor, ActorKind
from tentative.shared.errors import Forbidden, NotFound
from tentative.waitlist.models import WaitlistEntry


def visible_entries(actor: Actor) -> QuerySet[WaitlistEntry]:
    entries = WaitlistEntry.objects.all()
    if actor.kind == ActorKind.SYSTEM:
        return entries
    entries = entries.filter(organisation_id=actor.organisation_id)
    if actor.kind == ActorKind.CUSTOMER:
        entries = entries.filter(customer_id=actor.customer_id)
    return entries


def access_entry(actor: Actor, entry_id: int, *, lock: bool = False) -> WaitlistEntry:
    entries = visible_entries(actor)
    if lock:
        entries = entries.select_for_update(no_key=True)
    try:
        return entries.get(id=entry_id)
    except (WaitlistEntry.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def entry_by_token(token: str, *, lock: bool = False) -> WaitlistEntry:
    """Whoever holds the link: the token is unguessable (like a payment link's)."""
    if not token or "\x00" in token or len(token) > 64:
        raise NotFound()
    entries = WaitlistEntry.objects.select_related("organisation", "event_date__event")
    if lock:
        entries = entries.select_for_update(no_key=True, of=("self",))
    try:
        return entries.get(token=token)
    except WaitlistEntry.DoesNotExist:
        raise NotFound() from None


def check_may_manage(actor: Actor) -> None:
    """Offering places by hand and removing an entry are the desk's work: any staff role
    (agents run the desk), or the system; never a customer."""
    if actor.kind not in (ActorKind.STAFF, ActorKind.SYSTEM):
        raise Forbidden()
