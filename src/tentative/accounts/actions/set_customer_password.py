"""A signed-in customer sets a password for their personal space (optional: the emailed link
always works too). Checked by the project's password validators; setting it spends every
sign-in link sent before (django-sesame tokens depend on the password hash)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tentative.accounts.access import is_customer_user
from tentative.audit.trail import new_entry
from tentative.shared.actor import Actor, ActorKind
from tentative.shared.clock import now_or
from tentative.shared.errors import Forbidden, InvalidInput
from tentative.shared.transactions import action_transaction

MAX_PASSWORD = 128


def set_customer_password(
    user: Any, password: str, *, actor: Actor, now: datetime | None = None
) -> None:
    now = now_or(now)
    if actor.kind != ActorKind.CUSTOMER or actor.organisation_id is None:
        raise Forbidden()
    if not is_customer_user(user, actor.organisation_id):
        raise Forbidden()
    if len(password or "") > MAX_PASSWORD or "\x00" in (password or ""):
        raise InvalidInput()
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages)) from None
    with action_transaction():
        user.set_password(password)
        user.save(update_fields=["password"])
        new_entry(
            actor.organisation_id,
            actor=actor,
            action="customer.password",
            at=now,
            data={"customer": actor.customer_id},
        ).save()
