"""What creating and editing a customer share: the input, checked, and the audit entry."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from tentative.accounts import errors
from tentative.accounts.models import Customer
from tentative.audit.trail import new_entry
from tentative.shared.actor import Actor

MAX_CONTACTS = 20
_PHONE = re.compile(r"[0-9+()\-. ]{0,40}")
LANGUAGES = {code for code, _ in settings.LANGUAGES}


@dataclass(frozen=True)
class ContactData:
    name: str
    email: str = ""
    phone: str = ""
    role: str = ""


@dataclass(frozen=True)
class CustomerData:
    name: str
    kind: str = Customer.Kind.PERSON
    email: str = ""
    phone: str = ""
    language: str = ""
    contacts: tuple[ContactData, ...] = field(default_factory=tuple)


def _text(value: str, limit: int, name: str) -> str:
    value = (value or "").strip()
    if len(value) > limit or "\x00" in value:
        raise errors.InvalidCustomer(errors.NAME_REQUIRED, field=name)
    return value


def _name(value: str, name: str = "name") -> str:
    value = _text(value, 200, name)
    if not value:
        raise errors.InvalidCustomer(errors.NAME_REQUIRED, field=name)
    return value


def _email(value: str, name: str = "email") -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise errors.InvalidCustomer(errors.EMAIL_INVALID, field=name) from None
    if len(value) > 254:
        raise errors.InvalidCustomer(errors.EMAIL_INVALID, field=name)
    return value


def _phone(value: str, name: str = "phone") -> str:
    value = (value or "").strip()
    if not _PHONE.fullmatch(value):
        raise errors.InvalidCustomer(errors.PHONE_INVALID, field=name)
    return value


def clean(data: CustomerData) -> CustomerData:
    """The input as it will be stored, or an `InvalidCustomer` naming the field at fault."""
    if data.kind not in Customer.Kind.values:
        raise errors.InvalidCustomer(errors.KIND_INVALID, field="kind")
    if data.language and data.language not in LANGUAGES:
        raise errors.InvalidCustomer(errors.LANGUAGE_INVALID, field="language")
    contacts = tuple(
        ContactData(
            name=_name(c.name, f"contacts-{n}-name"),
            email=_email(c.email, f"contacts-{n}-email"),
            phone=_phone(c.phone, f"contacts-{n}-phone"),
            role=_text(c.role, 100, f"contacts-{n}-role"),
        )
        for n, c in enumerate(data.contacts)
    )
    if contacts and data.kind != Customer.Kind.COMPANY:
        raise errors.InvalidCustomer(errors.PERSON_CONTACTS, field="kind")
    if len(contacts) > MAX_CONTACTS:
        raise errors.InvalidCustomer(errors.TOO_MANY_CONTACTS, field="contacts", max=MAX_CONTACTS)
    return replace(
        data,
        name=_name(data.name),
        email=_email(data.email),
        phone=_phone(data.phone),
        contacts=contacts,
    )


def fields_of(data: CustomerData) -> dict[str, Any]:
    return {
        "kind": data.kind,
        "name": data.name,
        "email": data.email,
        "phone": data.phone,
        "language": data.language,
    }


def contacts_of(customer: Customer) -> tuple[ContactData, ...]:
    return tuple(
        ContactData(name=c.name, email=c.email, phone=c.phone, role=c.role)
        for c in customer.contacts.order_by("id")
    )


def record(
    customer: Customer, *, actor: Actor, verb: str, at: datetime, data: dict[str, Any]
) -> None:
    """The customer's audit entry: no booking, the customer in `data`."""
    new_entry(
        customer.organisation_id,
        actor=actor,
        action=f"customer.{verb}",
        at=at,
        data={"customer": customer.id, "name": customer.name, **data},
    ).save()
