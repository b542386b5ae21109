"""What the catalogue actions share: input checks and the audit entry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from tentative.audit.trail import new_entry
from tentative.catalog.errors import InvalidTerms
from tentative.shared.actor import Actor

NAME_REQUIRED = _("A name of at most 200 characters is required.")
APPROVAL_NOTE_REQUIRED = _(
    "Tell customers online that their request will be approved by staff (and when)."
)


def record(
    organisation_id: int, *, actor: Actor, verb: str, at: datetime, data: dict[str, Any]
) -> None:
    new_entry(organisation_id, actor=actor, action=f"catalog.{verb}", at=at, data=data).save()


def validated(instance: Model, *, exclude: list[str] | None = None) -> None:
    """The model's own rules (field validators, `OfferTerms.clean`), as a typed refusal with
    the messages per field, so that every face shows them next to the field."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise InvalidTerms(
            {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
        ) from None
