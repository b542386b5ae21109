"""Who may do what to a booking: roles and actions, as data.

Checked inside every action function (never only in a view) by `bookings.access`.
"""

from __future__ import annotations

from enum import StrEnum

from tentative.core.states import Action, State


class Role(StrEnum):
    OWNER = "owner"
    MANAGER = "manager"
    AGENT = "agent"


STAFF_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.OWNER: frozenset(Action),
    Role.MANAGER: frozenset(Action),
    # Agents run the front desk: they book, approve and confirm, but undoing a firm sale or
    # bringing back an expired booking is a manager's call.
    Role.AGENT: frozenset(Action) - {Action.REINSTATE},
}

# Customers act on their own bookings only: withdraw a tentative one, never decide on it.
CUSTOMER_ACTIONS = frozenset({Action.CREATE, Action.CANCEL})
CUSTOMER_CANCELLABLE = frozenset({State.QUOTE, State.REQUEST, State.OPTION})


def staff_may(role: Role, action: Action, source: State | None) -> bool:
    if action == Action.CANCEL and source == State.CONFIRMED and role == Role.AGENT:
        return False
    return action in STAFF_ACTIONS[role]


def customer_may(action: Action, source: State | None) -> bool:
    if action == Action.CANCEL:
        return source in CUSTOMER_CANCELLABLE
    return action in CUSTOMER_ACTIONS


class Duty(StrEnum):
    """What a staff member may set up, beside acting on bookings."""

    CATALOGUE = "catalogue"  # events, dates, ticket types, capacities, quotas
    SETTINGS = "settings"  # the organisation's time zone, currency, deadline policy…
    STAFF = "staff"  # invite, change a role, remove a member


# Owners run the account; managers run the programme; agents run the desk.
STAFF_DUTIES: dict[Role, frozenset[Duty]] = {
    Role.OWNER: frozenset(Duty),
    Role.MANAGER: frozenset({Duty.CATALOGUE}),
    Role.AGENT: frozenset(),
}


def staff_may_manage(role: Role, duty: Duty) -> bool:
    return duty in STAFF_DUTIES[role]
