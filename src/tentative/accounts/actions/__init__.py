"""One module per verb: the only code that writes a customer and its contacts."""

from tentative.accounts.actions._customer import MAX_CONTACTS, ContactData, CustomerData
from tentative.accounts.actions.create_customer import create_customer
from tentative.accounts.actions.update_customer import update_customer

__all__ = ["MAX_CONTACTS", "ContactData", "CustomerData", "create_customer", "update_customer"]
