"""Reads of the catalog shared by every face: what an organisation offers, and who delivers it."""

from __future__ import annotations

from django.db.models import QuerySet

from tentative.catalog.models import Resource, Service


def services_of(organisation_id: int) -> QuerySet[Service]:
    return (
        Service.objects.filter(organisation_id=organisation_id)
        .prefetch_related("prices", "resources")
        .order_by("id")
    )


def resources_of(organisation_id: int) -> QuerySet[Resource]:
    return Resource.objects.filter(organisation_id=organisation_id, archived_at=None).order_by(
        "name", "id"
    )
