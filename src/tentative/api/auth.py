"""Bearer-token authentication for staff; the request carries an Actor from here on.

One query on every API call, reading only the columns the Actor needs (building model
instances through select_related cost more than the query itself; see bench/hot_holds.py).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from tentative.accounts.models import ApiToken
from tentative.bookings.actor import Actor, ActorKind
from tentative.core.permissions import Role


class StaffToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        if len(token) > 200:
            return None
        found = (
            ApiToken.objects.filter(
                digest=ApiToken.hash(token), revoked_at=None, membership__user__is_active=True
            )
            .values_list(
                "id",
                "membership__organisation_id",
                "membership__user_id",
                "membership__user__username",
                "membership__role",
            )
            .first()
        )
        if found is None:
            return None
        token_id, organisation_id, user_id, username, role = found
        request.token_id = token_id  # type: ignore[attr-defined]
        return Actor(
            kind=ActorKind.STAFF,
            organisation_id=organisation_id,
            label=username,
            user_id=user_id,
            role=Role(role),
            via="api",
        )
