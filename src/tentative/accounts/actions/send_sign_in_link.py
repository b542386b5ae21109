"""Email a one-time sign-in link to the personal space (issue 12 item 4).

The visitor types an email address; every customer of the organisation that address speaks
for (its own customers with it, the companies that list it as a contact's) is then reachable
through one *customer user* (`access.customer_username`), made on first use. The link is a
django-sesame token for that user, scoped to this organisation, valid SESAME_MAX_AGE and
once (SESAME_ONE_TIME: signing in changes the user's last login, which every earlier token
depends on). The email goes through the outbox as a `customer.sign_in_link` event, which the
notifications fan-out renders in the visitor's language and never posts to a webhook.

The answer is the same whether the address is known or not (the caller must not tell), and
the limiter counts every ask, known or not.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.urls import reverse
from sesame.utils import get_token

from tentative.accounts.access import (
    customer_username,
    customers_matching,
    link_refusal,
    note_link_asked,
)
from tentative.accounts.actions._common import record
from tentative.accounts.errors import TooManySignInLinks
from tentative.accounts.models import Customer, Organisation, StaffMembership
from tentative.outbox import topics
from tentative.outbox.models import OutboxMessage
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def sign_in_scope(organisation_id: int) -> str:
    """A token made for one organisation's space opens no other's."""
    return f"portal:{organisation_id}"


def send_sign_in_link(
    organisation_id: int,
    email: str,
    *,
    address: str,
    language: str = "en",
    next_path: str = "",
    now: datetime | None = None,
) -> int:
    """How many emails were queued (0 or 1; the caller must not tell the visitor).

    Raises TooManySignInLinks (whatever the address) past the limiter's count."""
    now = now_or(now)
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        return 0
    if len(email) > 254:
        return 0
    with action_transaction():
        if link_refusal(email.lower(), address, now=now):
            raise TooManySignInLinks()
        note_link_asked(email.lower(), address, now=now)
        organisation = Organisation.objects.get(id=organisation_id)
        customers = list(customers_matching(organisation_id, email).order_by("id"))
        if not customers:
            return 0
        user = customer_user(organisation_id, email)
        if user is None:
            return 0
        Customer.objects.filter(
            id__in=[c.id for c in customers if c.email.lower() == email.lower()], user=None
        ).update(user=user)
        minutes = int(getattr(settings, "SESAME_MAX_AGE", 1800)) // 60
        OutboxMessage.objects.create(
            organisation_id=organisation_id,
            kind=OutboxMessage.Kind.EVENT,
            topic=topics.CUSTOMER_SIGN_IN_LINK,
            payload={
                "to": email,
                "name": customers[0].name if customers[0].email.lower() == email.lower() else "",
                "language": language,
                "url": sign_in_url(organisation, user, next_path),
                "minutes": minutes,
            },
            available_at=now,
            created_at=now,
        )
        record(
            organisation_id,
            actor=Actor.system("personal space"),
            verb="sign_in_link_sent",
            at=now,
            data={"customers": [c.id for c in customers]},
        )
    return 1


def sign_in_url(organisation: Organisation, user: Any, next_path: str = "") -> str:
    """A fresh one-time sign-in link for this customer user (the demo prints one)."""
    query = {"sesame": get_token(user, scope=sign_in_scope(organisation.id))}
    if next_path:
        query["next"] = next_path
    path = reverse("portal:link", args=[organisation.slug])
    return f"{settings.PUBLIC_URL}{path}?{urlencode(query)}"


def customer_user(organisation_id: int, email: str):  # type: ignore[no-untyped-def]
    """The customer user for this address, made on first use; never a staff member's."""
    users = get_user_model()
    user, created = users.objects.get_or_create(
        username=customer_username(organisation_id, email),
        defaults={"email": email, "is_staff": False, "is_superuser": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if user.is_staff or user.is_superuser or not user.is_active:
        return None
    if StaffMembership.objects.filter(user=user).exists():
        return None
    if user.email.lower() != email.lower():
        user.email = email
        user.save(update_fields=["email"])
    return user
