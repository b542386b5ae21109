"""One module per verb: the only code that changes events and ticket types.

Dates, capacities and quotas are the inventory's (`inventory.actions`: `add_dates`,
`set_capacity`, `set_quota`), because creating a date creates its capacity pools.
Every action checks rights (owners and managers) and writes its audit entry.
"""

from tentative.catalog.actions._profile import ProfileData
from tentative.catalog.actions._terms import FIELDS as TICKET_TYPE_FIELDS
from tentative.catalog.actions.add_question import add_question
from tentative.catalog.actions.ask_names import ask_names
from tentative.catalog.actions.close_room_day import close_room_day
from tentative.catalog.actions.create_event import create_event
from tentative.catalog.actions.create_room import Category, RoomSpec, Schedule, create_room
from tentative.catalog.actions.create_sales_profile import create_sales_profile
from tentative.catalog.actions.create_ticket_type import create_ticket_type
from tentative.catalog.actions.delete_sales_profile import delete_sales_profile
from tentative.catalog.actions.remove_profile_item import remove_profile_item
from tentative.catalog.actions.remove_question import remove_question
from tentative.catalog.actions.set_profile_item import set_profile_item
from tentative.catalog.actions.set_room_prices import PriceRow, set_room_prices
from tentative.catalog.actions.update_event import update_event
from tentative.catalog.actions.update_room import RoomChanges, update_room
from tentative.catalog.actions.update_sales_profile import update_sales_profile
from tentative.catalog.actions.update_ticket_type import update_ticket_type

__all__ = [
    "TICKET_TYPE_FIELDS",
    "Category",
    "PriceRow",
    "ProfileData",
    "RoomChanges",
    "RoomSpec",
    "Schedule",
    "add_question",
    "ask_names",
    "close_room_day",
    "create_event",
    "create_room",
    "create_sales_profile",
    "create_ticket_type",
    "delete_sales_profile",
    "remove_profile_item",
    "remove_question",
    "set_profile_item",
    "set_room_prices",
    "update_event",
    "update_room",
    "update_sales_profile",
    "update_ticket_type",
]
