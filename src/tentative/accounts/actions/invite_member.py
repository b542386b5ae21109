"""Invite a staff member by email: an account without a password, a role in the
organisation, and an email with a link to set the password.

The link carries Django's password-reset token (`default_token_generator`), not a stored
secret: it is signed with the project's key over the account's password hash and last
login, so it stops working as soon as a password is set, and expires after
`PASSWORD_RESET_TIMEOUT`. No table, and the same mechanism as "forgot my password".
(django-sesame makes *login* links, which would let the link itself sign in: we want the
member to choose a password.)
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from tentative.accounts.access import check_may_manage_staff
from tentative.accounts.actions._common import password_link, queue_email, record
from tentative.accounts.errors import AlreadyMember, InvalidSettings
from tentative.accounts.models import Organisation, StaffMembership
from tentative.core.permissions import Role
from tentative.shared.actor import Actor, check_organisation
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def invite_member(
    organisation_id: int,
    *,
    actor: Actor,
    email: str,
    role: str,
    language: str = "",
    now: datetime | None = None,
) -> StaffMembership:
    now = now_or(now)
    check_may_manage_staff(actor)
    check_organisation(actor, organisation_id)
    email = (email or "").strip().lower()
    errors = {}
    try:
        validate_email(email)
        if len(email) > 150:
            raise ValidationError("too long")
    except ValidationError:
        errors["email"] = [str(validate_email.message)]
    if role not in Role.__members__.values():
        errors["role"] = [str(InvalidSettings.message)]
    if errors:
        raise InvalidSettings(errors)
    users = get_user_model().objects
    with action_transaction():
        org = Organisation.objects.get(id=organisation_id)
        if (
            users.filter(username__iexact=email).exists()
            or users.filter(email__iexact=email).exists()
        ):
            raise AlreadyMember(email=email)
        user = users.create_user(username=email, email=email, password=None)
        membership = StaffMembership.objects.create(user=user, organisation=org, role=role)
        language = language if language in ("en", "fr", "es") else org.default_language
        queue_email(
            org.id,
            to=email,
            template="invite",
            language=language,
            context={
                "organisation": org.name,
                "by": actor.label,
                "role": role,
                "link": password_link(user),
            },
            at=now,
        )
        record(
            org.id,
            actor=actor,
            verb="invited",
            at=now,
            data={
                "membership": membership.id,
                "email": email,
                "role": role,
            },
        )
    return membership
