"""The fields of a service that its create and update actions set."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

from tentative.catalog.actions._common import APPROVAL_NOTE_REQUIRED, validated
from tentative.catalog.errors import InvalidTerms
from tentative.catalog.models import Resource, Service, approval_refusal

FIELDS = (
    "name",
    "description",
    "duration",
    "buffer_before",
    "buffer_after",
    "min_participants",
    "max_participants",
    "requires_approval",
    "approval_note",
    "decision_days",
    "requests_hold_capacity",
    "reservable",
    "min_notice",
    "horizon_days",
    "slot_step",
    "approval_below_hours",
    "sold_in_packages",
)
RESOURCES_MESSAGE = _("Choose staff members (or rooms) of this organisation, not archived.")


def apply_settings(service: Service, settings: dict[str, Any]) -> dict[str, Any]:
    """Set the given fields, validate the whole service; the fields that changed."""
    unknown = set(settings) - set(FIELDS)
    if unknown:
        raise InvalidTerms({name: ["unknown field"] for name in sorted(unknown)})
    changed = {}
    for name, value in settings.items():
        if isinstance(value, str):
            value = value.strip()
        if getattr(service, name) != value:
            changed[name] = value
        setattr(service, name, value)
    validated(service, exclude=["organisation"])
    refusal = approval_refusal(service)
    if refusal is not None:
        raise InvalidTerms({"requires_approval": [refusal]})
    if service.requires_approval and not service.approval_note:
        raise InvalidTerms({"approval_note": [str(APPROVAL_NOTE_REQUIRED)]})
    return changed


def check_resources(service: Service, resource_ids: Sequence[int]) -> list[Resource]:
    wanted = set(resource_ids)
    found = list(
        Resource.objects.filter(
            id__in=wanted,
            organisation_id=service.organisation_id,
            kind=service.resource_kind,
            archived_at=None,
        )
    )
    if len(found) != len(wanted):
        raise InvalidTerms({"resources": [str(RESOURCES_MESSAGE)]})
    return found
