"""Bearer-token authentication for staff; the request carries an Actor from here on."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from tentative.accounts.models import ApiToken
from tentative.bookings.actor import Actor


class StaffToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        if len(token) > 200:
            return None
        found = (
            ApiToken.objects.select_related("membership__user", "membership__organisation")
            .filter(digest=ApiToken.hash(token), revoked_at=None, membership__user__is_active=True)
            .first()
        )
        if found is None:
            return None
        request.token_id = found.id  # type: ignore[attr-defined]
        request.organisation = found.membership.organisation  # type: ignore[attr-defined]
        return Actor.staff(found.membership, via="api")
