"""What the organisation and staff actions share: the audit entry, and an email queued in
the outbox (sent by the worker, with retries, after the change commits)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from tentative.audit.trail import new_entry
from tentative.outbox.models import OutboxMessage
from tentative.shared.actor import Actor


def record(
    organisation_id: int, *, actor: Actor, verb: str, at: datetime, data: dict[str, Any]
) -> None:
    new_entry(organisation_id, actor=actor, action=f"staff.{verb}", at=at, data=data).save()


def queue_email(
    organisation_id: int,
    *,
    to: str,
    template: str,
    language: str,
    context: dict[str, Any],
    at: datetime,
) -> OutboxMessage:
    """A rendered email row, ready for the courier: `accounts/email/<template>.txt`, its
    first line the subject."""
    with translation.override(language):
        subject, _, body = render_to_string(f"accounts/email/{template}.txt", context).partition(
            "\n"
        )
    return OutboxMessage.objects.create(
        organisation_id=organisation_id,
        kind=OutboxMessage.Kind.EMAIL,
        topic=f"staff.{template}",
        payload={
            "to": [to],
            "template": template,
            "language": language,
            "subject": " ".join(subject.split())[:250],
            "text": body.strip() + "\n",
            "html": "",
            "inline": [],
            "attachments": [],
        },
        available_at=at,
        created_at=at,
    )


def password_link(user: Any) -> str:
    """The set-password page for this user: Django's password-reset token (it dies once the
    password is set, or after PASSWORD_RESET_TIMEOUT)."""
    from django.conf import settings
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    path = reverse(
        "backoffice:set_password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{settings.PUBLIC_URL}{path}"
