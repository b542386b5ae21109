"""Email a set-password link to the staff account with this address ("forgot my password").

Says nothing about whether the address has an account: the page answers the same either
way, and the email goes through the outbox (the worker sends it, with retries).
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model

from tentative.accounts.actions._common import password_link, queue_email, record
from tentative.accounts.models import StaffMembership
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def send_password_reset(email: str, *, language: str = "en", now: datetime | None = None) -> int:
    """How many emails were queued (0 or 1; the caller must not tell the visitor)."""
    now = now_or(now)
    email = (email or "").strip()
    if not email or len(email) > 254:
        return 0
    sent = 0
    with action_transaction():
        for user in get_user_model().objects.filter(email__iexact=email, is_active=True):
            membership = (
                StaffMembership.objects.filter(user=user)
                .select_related("organisation")
                .order_by("id")
                .first()
            )
            if membership is None:
                continue  # not staff (the platform's operator resets through the shell)
            queue_email(
                membership.organisation_id,
                to=user.email,
                template="password_reset",
                language=language if language in ("en", "fr", "es") else "en",
                context={"username": user.get_username(), "link": password_link(user)},
                at=now,
            )
            record(
                membership.organisation_id,
                actor=Actor.system("password reset"),
                verb="password_reset_sent",
                at=now,
                data={"user": user.get_username()},
            )
            sent += 1
    return sent
