"""Name the players of a booking (seed 004 "Joueurs": filled at booking, or later by staff).

The players of each line (a price category) are replaced by the names given, at most as
many as the line's players; empty names are dropped. Who may: whoever may change the
booking's players (`check_may` on CHANGE_QUANTITY in its state), so staff; and the
customer, on their own booking only (`access_booking` scopes a customer actor to it), from
their personal space (issue 14 item 3): while it is live (quote, request, option or
confirmed) and its session has not started. A customer may name players, not change how
many there are (CHANGE_QUANTITY stays staff's). The state does not change; the audit
trail records the change (names are personal data: only their count is written there).
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from tentative.audit import trail as audit
from tentative.bookings.access import access_booking, check_may
from tentative.bookings.models import Booking, Participant
from tentative.core.states import Action, State
from tentative.shared.actor import Actor, ActorKind
from tentative.shared.clock import now_or
from tentative.shared.errors import Forbidden, InvalidInput, NotFound
from tentative.shared.transactions import action_transaction

TOO_MANY = _("“%(category)s” has %(quantity)s players: name at most that many.")
NAME_LENGTH = 200
# The states in which a customer names their players (a booking still to be played).
CUSTOMER_NAMES = frozenset({State.QUOTE, State.REQUEST, State.OPTION, State.CONFIRMED})


def name_players(
    booking_id: int,
    *,
    actor: Actor,
    names: dict[int, list[str]],
    now: datetime | None = None,
) -> Booking:
    """`names`: line id → the players' names on that line (the line's list is replaced)."""
    now = now_or(now)
    with action_transaction():
        booking = access_booking(actor, booking_id, lock=True)
        lines = {ln.id: ln for ln in booking.lines.select_related("service_price", "ticket_type")}
        if actor.kind == ActorKind.CUSTOMER:
            started = any(line.starts_at and line.starts_at <= now for line in lines.values())
            if booking.state_enum not in CUSTOMER_NAMES or started:
                raise Forbidden()
        else:
            check_may(actor, Action.CHANGE_QUANTITY, booking.state_enum)
        cleaned: dict[int, list[str]] = {}
        for line_id, given in names.items():
            line = lines.get(line_id)
            if line is None:
                raise NotFound()
            kept = [n.strip()[:NAME_LENGTH] for n in given if n and n.strip()]
            if len(kept) > line.quantity:
                raise InvalidInput(TOO_MANY, category=line.item, quantity=line.quantity)
            cleaned[line_id] = kept
        Participant.objects.filter(line_id__in=list(cleaned)).delete()
        Participant.objects.bulk_create(
            [
                Participant(line_id=line_id, name=n)
                for line_id, kept in cleaned.items()
                for n in kept
            ]
        )
        audit.record(
            booking,
            actor=actor,
            action="players_named",
            at=now,
            from_state=booking.state,
            data={"named": sum(len(v) for v in cleaned.values())},
        )
    return booking
