"""One module per verb: the only code that changes events and ticket types.

Dates, capacities and quotas are the inventory's (`inventory.actions`: `add_dates`,
`set_capacity`, `set_quota`), because creating a date creates its capacity pools.
Every action checks rights (owners and managers) and writes its audit entry.
"""

from tentative.catalog.actions._terms import FIELDS as TICKET_TYPE_FIELDS
from tentative.catalog.actions.add_question import add_question
from tentative.catalog.actions.ask_names import ask_names
from tentative.catalog.actions.create_event import create_event
from tentative.catalog.actions.create_ticket_type import create_ticket_type
from tentative.catalog.actions.remove_question import remove_question
from tentative.catalog.actions.update_event import update_event
from tentative.catalog.actions.update_ticket_type import update_ticket_type

__all__ = [
    "TICKET_TYPE_FIELDS",
    "add_question",
    "ask_names",
    "create_event",
    "create_ticket_type",
    "remove_question",
    "update_event",
    "update_ticket_type",
]
