"""Who is signed in to the personal space, and what awaits them.

A signed-in *customer user* (accounts/access.py) acts for every customer of the organisation
its email address speaks for: its own customer rows and the companies that list it as a
contact's. Each booking is fetched through `bookings.access` with `Actor.customer` of the
customer it belongs to, so the engine's own scoping, not this module, decides what is seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Min, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tentative.accounts.access import portal_customers
from tentative.accounts.models import Customer, Organisation
from tentative.bookings.access import access_booking_by_reference, visible_bookings
from tentative.bookings.labels import STATES
from tentative.bookings.models import Booking
from tentative.core.money import Balance
from tentative.payments.models import PaymentRequest
from tentative.payments.selectors import balance_of_row, with_money
from tentative.shared.actor import Actor
from tentative.shared.errors import NotFound


@dataclass
class Space:
    organisation: Organisation
    user: Any
    customers: list[Customer]

    def actor_for(self, customer_id: int | None) -> Actor:
        for customer in self.customers:
            if customer.id == customer_id:
                return Actor.customer(customer, via="portal")
        raise NotFound()

    def bookings(self) -> QuerySet[Booking]:
        rows = Booking.objects.none()
        for customer in self.customers:
            rows = rows | visible_bookings(Actor.customer(customer, via="portal"))
        return rows

    def booking(self, reference: str) -> tuple[Booking, Actor]:
        """The booking with this reference if one of this user's customers owns it; else
        NotFound, the same for a booking that does not exist and for someone else's."""
        reference = (reference or "").strip().upper()[:12]
        for customer in self.customers:
            actor = Actor.customer(customer, via="portal")
            try:
                return access_booking_by_reference(actor, reference), actor
            except NotFound:
                continue
        raise NotFound()


def space_for(organisation: Organisation, user: Any) -> Space | None:
    customers = portal_customers(organisation.id, user)
    return Space(organisation, user, customers) if customers else None


# What a booking's state means to its customer, in plain words.
STATE_WORDS: dict[str, Promise] = {
    "quote": _("Quote: nothing is reserved yet. The organiser turns it into a booking."),
    "request": _(
        "Pending approval: the organiser has not decided yet. You will not be charged "
        "unless it is accepted."
    ),
    "option": _("Reserved for you until the deadline: pay before it, or the places are released."),
    "confirmed": _("Confirmed: your places are yours."),
    "expired": _("Expired: the deadline passed and the places were released."),
    "declined": _("Not accepted by the organiser."),
    "cancelled": _("Cancelled."),
}

PENDING_APPROVAL = _("Pending approval")

KINDS: dict[str, Promise] = {
    "option": _("Reservations to pay or confirm"),
    "offer": _("Waiting-list offers to take"),
    "payment": _("Payment links due"),
    "balance": _("Bookings with a balance to pay"),
    "request": _("Requests pending approval"),
    "quote": _("Quotes"),
}


@dataclass
class Awaiting:
    kind: str
    booking: Booking
    deadline: datetime | None
    amount: Decimal | None = None
    url: str = ""  # a payment link's page
    token: str = ""
    # As printed (views.home fills them once per distinct value: a list of hundreds)
    amount_text: str = ""
    deadline_text: str = ""


@dataclass
class Dashboard:
    awaiting: list[Awaiting] = field(default_factory=list)
    counts: list[tuple[str, Promise, int]] = field(default_factory=list)
    bookings: list[Booking] = field(default_factory=list)


def waitlist_offers(booking_ids: list[int]) -> set[int]:
    """Which of these options are waiting-list offers (an open offer is an option on the
    engine, `WaitlistEntry.offer`). Read by a lazy model reference: the waiting list is
    another helper's app, merged beside this one."""
    try:
        entries = apps.get_model("waitlist", "WaitlistEntry")
    except LookupError:
        return set()
    return set(
        entries.objects.filter(offer_id__in=booking_ids, state="offered").values_list(
            "offer_id", flat=True
        )
    )


def dashboard(space: Space, *, now: datetime) -> Dashboard:
    """Everything awaiting the customer, soonest deadline first, with counts by kind; then
    all their bookings, the latest date first. Queries: one for the bookings with their money
    and first date, one for the open payment links."""
    rows = list(
        with_money(space.bookings())
        .annotate(first_at=Min("lines__starts_at"))
        .order_by("-first_at", "-id")
    )
    board = Dashboard(bookings=rows)
    by_id = {b.id: b for b in rows}
    linked: set[int] = set()
    for request in PaymentRequest.objects.filter(
        booking_id__in=list(by_id), state=PaymentRequest.State.OPEN, expires_at__gt=now
    ).order_by("expires_at"):
        linked.add(request.booking_id)
        board.awaiting.append(
            Awaiting(
                "payment",
                by_id[request.booking_id],
                request.expires_at,
                amount=request.amount,
                token=request.token,
            )
        )
    offers = waitlist_offers(list(by_id))
    for row in rows:
        money: Balance = balance_of_row(row)
        row.money = money  # type: ignore[attr-defined]
        # "Pending approval", never a bare "Request": worded apart from the waiting list.
        row.state_label = (  # type: ignore[attr-defined]
            PENDING_APPROVAL if row.state == "request" else STATES.get(row.state, row.state)
        )
        if row.state == "option" and row.id not in linked:
            kind = "offer" if row.id in offers else "option"
            board.awaiting.append(
                Awaiting(kind, row, row.deadline_shown, amount=money.outstanding.amount)
            )
        elif row.state == "request":
            board.awaiting.append(Awaiting("request", row, row.deadline_shown))
        elif row.state == "quote":
            board.awaiting.append(Awaiting("quote", row, row.deadline_shown))
        elif row.state == "confirmed" and money.outstanding.amount > 0 and row.id not in linked:
            board.awaiting.append(
                Awaiting("balance", row, row.first_at, amount=money.outstanding.amount)  # type: ignore[attr-defined]
            )
    far = datetime.max.replace(tzinfo=now.tzinfo)
    board.awaiting.sort(key=lambda a: (a.deadline or far, a.booking.id))
    for kind, words in KINDS.items():
        count = sum(1 for a in board.awaiting if a.kind == kind)
        if count:
            board.counts.append((kind, words, count))
    return board
