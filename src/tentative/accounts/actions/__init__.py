"""One module per verb: the only code that changes an organisation's settings, its staff,
and its customers with their contacts. Rights come from `core.permissions.STAFF_DUTIES`,
checked inside each action."""

from tentative.accounts.actions._common import password_link, queue_email
from tentative.accounts.actions._customer import MAX_CONTACTS, ContactData, CustomerData
from tentative.accounts.actions.anonymise_customer import anonymise_customer, blocking_bookings
from tentative.accounts.actions.change_role import change_role
from tentative.accounts.actions.create_audience import create_audience
from tentative.accounts.actions.create_customer import create_customer
from tentative.accounts.actions.delete_audience import delete_audience
from tentative.accounts.actions.invite_member import invite_member
from tentative.accounts.actions.remove_member import remove_member
from tentative.accounts.actions.rename_audience import rename_audience
from tentative.accounts.actions.request_erasure import request_erasure
from tentative.accounts.actions.reset_calendar_feed import reset_calendar_feed
from tentative.accounts.actions.send_password_reset import send_password_reset
from tentative.accounts.actions.send_sign_in_link import (
    customer_user,
    send_sign_in_link,
    sign_in_scope,
    sign_in_url,
)
from tentative.accounts.actions.set_customer_audience import set_customer_audience
from tentative.accounts.actions.set_customer_password import set_customer_password
from tentative.accounts.actions.set_deadline_policy import MAX_GRACE, set_deadline_policy
from tentative.accounts.actions.set_reserve_channels import set_reserve_channels
from tentative.accounts.actions.set_widget_sites import set_widget_sites
from tentative.accounts.actions.update_customer import update_customer
from tentative.accounts.actions.update_settings import FIELDS as SETTINGS_FIELDS
from tentative.accounts.actions.update_settings import RANGES as SETTINGS_RANGES
from tentative.accounts.actions.update_settings import update_settings
from tentative.accounts.actions.use_sign_in_link import use_sign_in_link

__all__ = [
    "MAX_CONTACTS",
    "MAX_GRACE",
    "SETTINGS_FIELDS",
    "SETTINGS_RANGES",
    "ContactData",
    "CustomerData",
    "anonymise_customer",
    "blocking_bookings",
    "change_role",
    "create_audience",
    "create_customer",
    "customer_user",
    "delete_audience",
    "invite_member",
    "password_link",
    "queue_email",
    "remove_member",
    "rename_audience",
    "request_erasure",
    "reset_calendar_feed",
    "send_password_reset",
    "send_sign_in_link",
    "set_customer_audience",
    "set_customer_password",
    "set_deadline_policy",
    "set_reserve_channels",
    "set_widget_sites",
    "sign_in_scope",
    "sign_in_url",
    "update_customer",
    "update_settings",
    "use_sign_in_link",
]
