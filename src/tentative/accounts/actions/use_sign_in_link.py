"""Spend an emailed sign-in link: the customer user it signs in, or None.

django-sesame's one-time tokens depend on the user's last login, which signing in changes;
but two requests carrying the same token at the same moment could both pass that check
before either writes. So the check is done again under the user's row lock, and the last
login is written in the same transaction: of any number of simultaneous uses, exactly one
signs in (tests/concurrency/test_sign_in_link_race.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from sesame.utils import get_user

from tentative.accounts.access import is_customer_user
from tentative.accounts.actions.send_sign_in_link import sign_in_scope
from tentative.audit.trail import new_entry
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction

MAX_TOKEN = 200


def use_sign_in_link(organisation_id: int, token: str, *, now: datetime | None = None) -> Any:
    now = now_or(now)
    token = token or ""
    if not token or len(token) > MAX_TOKEN or "\x00" in token:
        return None
    scope = sign_in_scope(organisation_id)
    with action_transaction():
        user = get_user(token, scope=scope, update_last_login=False)
        if user is None or not is_customer_user(user, organisation_id):
            return None
        user = _lock_and_recheck(user, token, scope)
        if user is None:
            return None  # spent by a simultaneous request
        get_user_model().objects.filter(pk=user.pk).update(last_login=now)
        user.last_login = now
        new_entry(
            organisation_id,
            actor=Actor.system("personal space"),
            action="customer.sign_in",
            at=now,
            data={"user": user.pk},
        ).save()
    return user


def _lock_and_recheck(user: Any, token: str, scope: str) -> Any:
    get_user_model().objects.select_for_update(no_key=True).filter(pk=user.pk).first()
    return get_user(token, scope=scope, update_last_login=False)
