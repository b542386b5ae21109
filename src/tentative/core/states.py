"""The one booking state machine shared by tickets, appointments and room sessions.

The table is data so that the docs' diagram, the actions and the property-based tests all
read the same source. An action asks `transition(state, action, target)`; anything not in
the table is refused with `IllegalTransition`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    QUOTE = "quote"
    REQUEST = "request"
    OPTION = "option"
    CONFIRMED = "confirmed"
    EXPIRED = "expired"
    DECLINED = "declined"
    CANCELLED = "cancelled"


class Action(StrEnum):
    CREATE = "create"
    CONVERT = "convert"  # a quote becomes an option or a firm booking
    APPROVE = "approve"
    DECLINE = "decline"
    CONFIRM = "confirm"
    EXTEND = "extend"
    EXPIRE = "expire"
    CANCEL = "cancel"
    REINSTATE = "reinstate"  # an expired booking comes back, if places remain now
    # Changes that keep the state: the booking's places or slot change under it.
    MOVE = "move"  # another date, time, staff member or room
    CHANGE_QUANTITY = "change_quantity"  # more or fewer places or players on a line


TERMINAL = frozenset({State.DECLINED, State.CANCELLED})
# Actions that change what a booking consumes but never its state.
IN_PLACE = frozenset({Action.MOVE, Action.CHANGE_QUANTITY})
LIVE = (State.QUOTE, State.REQUEST, State.OPTION, State.CONFIRMED)


@dataclass(frozen=True)
class Transition:
    action: Action
    source: State | None  # None: the booking does not exist yet
    target: State
    needs_reason: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Action.CREATE, None, State.QUOTE),
    Transition(Action.CREATE, None, State.REQUEST),
    Transition(Action.CREATE, None, State.OPTION),
    Transition(Action.CREATE, None, State.CONFIRMED),
    Transition(Action.CONVERT, State.QUOTE, State.OPTION),
    Transition(Action.CONVERT, State.QUOTE, State.CONFIRMED),
    Transition(Action.APPROVE, State.REQUEST, State.OPTION),
    Transition(Action.APPROVE, State.REQUEST, State.CONFIRMED),
    Transition(Action.DECLINE, State.REQUEST, State.DECLINED),
    Transition(Action.CONFIRM, State.OPTION, State.CONFIRMED),
    Transition(Action.EXTEND, State.OPTION, State.OPTION),
    Transition(Action.EXTEND, State.QUOTE, State.QUOTE),
    Transition(Action.EXPIRE, State.QUOTE, State.EXPIRED),
    Transition(Action.EXPIRE, State.REQUEST, State.EXPIRED),
    Transition(Action.EXPIRE, State.OPTION, State.EXPIRED),
    Transition(Action.CANCEL, State.QUOTE, State.CANCELLED),
    Transition(Action.CANCEL, State.REQUEST, State.CANCELLED),
    Transition(Action.CANCEL, State.OPTION, State.CANCELLED),
    # Cancelling a firm booking has money consequences: staff must say why.
    Transition(Action.CANCEL, State.CONFIRMED, State.CANCELLED, needs_reason=True),
    Transition(Action.REINSTATE, State.EXPIRED, State.OPTION, needs_reason=True),
    Transition(Action.REINSTATE, State.EXPIRED, State.CONFIRMED, needs_reason=True),
    # A live booking can be moved or resized in place; an ended one cannot.
    *(Transition(action, state, state) for action in sorted(IN_PLACE) for state in LIVE),
)

_BY_KEY = {(t.action, t.source, t.target): t for t in TRANSITIONS}


class IllegalTransition(Exception):
    def __init__(self, action: Action, source: State | None, target: State | None) -> None:
        self.action, self.source, self.target = action, source, target
        super().__init__(f"cannot {action.value} a booking in state {source} (to {target})")


class ReasonRequired(Exception):
    def __init__(self, action: Action, source: State | None) -> None:
        self.action, self.source = action, source
        super().__init__(f"{action.value} from {source} needs a reason")


def targets(action: Action, source: State | None) -> tuple[State, ...]:
    """The states `action` may lead to from `source` (empty: the action is refused)."""
    return tuple(t.target for t in TRANSITIONS if t.action == action and t.source == source)


def transition(
    source: State | None, action: Action, target: State | None = None, *, reason: str = ""
) -> Transition:
    """Check one step of the machine; `target` may be omitted where only one is possible."""
    possible = targets(action, source)
    if target is None and len(possible) == 1:
        target = possible[0]
    found = _BY_KEY.get((action, source, target)) if target is not None else None
    if found is None:
        raise IllegalTransition(action, source, target)
    if found.needs_reason and not reason.strip():
        raise ReasonRequired(action, source)
    return found


def takes_capacity(state: State, *, requests_hold: bool) -> bool:
    """Whether a booking in `state` holds places; for requests the offer decides.

    Some businesses hold places for pending requests, others let requests overbook and
    decide later (then approving re-checks capacity and can be refused).
    """
    if state == State.REQUEST:
        return requests_hold
    return state in (State.OPTION, State.CONFIRMED)


def mermaid_diagram() -> str:
    """The state diagram for the docs, generated from the table so it cannot drift."""
    lines = ["stateDiagram-v2"]
    for t in TRANSITIONS:
        if t.action in IN_PLACE:
            continue  # one note below instead of a loop on every live state
        source = "[*]" if t.source is None else t.source.value
        note = " (reason)" if t.needs_reason else ""
        lines.append(f"    {source} --> {t.target.value}: {t.action.value}{note}")
    for state in sorted(TERMINAL):
        lines.append(f"    {state.value} --> [*]")
    in_place = ", ".join(sorted(a.value for a in IN_PLACE))
    for state in LIVE:
        lines.append(f"    note right of {state.value}: {in_place}")
    return "\n".join(lines)
