"""What the audience actions share: the name check, the public audience, the audit entry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from tentative.accounts.errors import InvalidAudience
from tentative.accounts.models import Audience, Organisation
from tentative.audit.trail import new_entry
from tentative.shared.actor import Actor

NAME_REQUIRED = _("Give the audience a name of at most 100 characters.")
NAME_TAKEN = _("Another audience already has this name.")
CHANNEL_UNKNOWN = _("Unknown channel.")


def clean_name(organisation_id: int, name: str, *, exclude: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > 100 or "\x00" in name:
        raise InvalidAudience(NAME_REQUIRED, field="name")
    taken = Audience.objects.filter(organisation_id=organisation_id, name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(id=exclude)
    if taken.exists():
        raise InvalidAudience(NAME_TAKEN, field="name")
    return name


def in_use(organisation_id: int) -> None:
    """From now on the booking path reads audiences and profiles (catalog `sale_rules`)."""
    Organisation.objects.filter(id=organisation_id, sale_rules_in_use=False).update(
        sale_rules_in_use=True
    )


def public_audience(organisation_id: int, *, name: str) -> Audience:
    """The organisation's public audience, created on first need (inside the caller's
    transaction; the unique constraint settles a race, the loser retries the read)."""
    found = Audience.objects.filter(organisation_id=organisation_id, is_public=True).first()
    if found is not None:
        return found
    return Audience.objects.create(organisation_id=organisation_id, name=name, is_public=True)


def record(
    organisation_id: int, *, actor: Actor, verb: str, at: datetime, data: dict[str, Any]
) -> None:
    new_entry(organisation_id, actor=actor, action=f"audience.{verb}", at=at, data=data).save()
