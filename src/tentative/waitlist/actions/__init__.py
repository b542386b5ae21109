"""One module per verb: join, leave, offer (by hand or by the worker's pass), accept,
decline, remove, and the pass's two halves (settle the offers that ended, offer freed
places)."""

from tentative.waitlist.actions.accept import accept_offer
from tentative.waitlist.actions.decline import decline_offer
from tentative.waitlist.actions.join import join_waitlist
from tentative.waitlist.actions.leave import leave_waitlist
from tentative.waitlist.actions.offer import offer_entry
from tentative.waitlist.actions.offer_freed import offer_freed_places
from tentative.waitlist.actions.remove import remove_entry
from tentative.waitlist.actions.settle import settle_offers

__all__ = [
    "accept_offer",
    "decline_offer",
    "join_waitlist",
    "leave_waitlist",
    "offer_entry",
    "offer_freed_places",
    "remove_entry",
    "settle_offers",
]
