"""Create a named reserve for the organisation (seed 002: Organisations › Capacity reserves)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from tentative.inventory.access import check_may_manage
from tentative.inventory.actions._common import choice, clean_name, members_of, record
from tentative.inventory.actions.configure_reserve import clean_release_before
from tentative.inventory.errors import DuplicateReserveName
from tentative.inventory.models import Reserve
from tentative.shared.actor import Actor, check_organisation
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def create_reserve(
    organisation_id: int,
    *,
    actor: Actor,
    name: str,
    kind: str = Reserve.Kind.WITH_ACCESS,
    audience: str = Reserve.Audience.ALL_STAFF,
    member_ids: list[int] | None = None,
    cancelled_places_to: str = Reserve.CancelledPlaces.RESERVE,
    release_before: timedelta | None = None,
    now: datetime | None = None,
) -> Reserve:
    now = now_or(now)
    check_organisation(actor, organisation_id)
    check_may_manage(actor)
    name = clean_name(name)
    kind = choice(Reserve.Kind, kind, _("reserve type"))
    audience = choice(Reserve.Audience, audience, _("audience"))
    cancelled_places_to = choice(Reserve.CancelledPlaces, cancelled_places_to, _("setting"))
    release_before = clean_release_before(release_before)
    with action_transaction():
        members = members_of(organisation_id, member_ids or [])
        try:
            with transaction.atomic():  # a savepoint: the duplicate name is a clear refusal
                reserve = Reserve.objects.create(
                    organisation_id=organisation_id,
                    name=name,
                    kind=kind,
                    audience=audience,
                    cancelled_places_to=cancelled_places_to,
                    release_before=release_before,
                    created_at=now,
                )
        except IntegrityError:
            raise DuplicateReserveName(name=name) from None
        if audience == Reserve.Audience.SELECTED:
            reserve.members.set(members)
        record(
            reserve,
            actor=actor,
            verb="create",
            at=now,
            data={
                "kind": kind,
                "audience": audience,
                "members": sorted(m.id for m in members) if audience == "selected" else [],
                "cancelled_places_to": cancelled_places_to,
                "release_before_hours": _hours(release_before),
            },
        )
    return reserve


def _hours(duration: timedelta | None) -> float | None:
    return None if duration is None else duration.total_seconds() / 3600
