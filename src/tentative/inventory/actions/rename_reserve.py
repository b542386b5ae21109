"""Rename a reserve (the name staff see at the box office and in reports)."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from tentative.inventory.actions._common import clean_name, lock_reserve, record
from tentative.inventory.errors import DuplicateReserveName
from tentative.inventory.models import Reserve
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def rename_reserve(
    reserve_id: int, *, actor: Actor, name: str, now: datetime | None = None
) -> Reserve:
    now = now_or(now)
    name = clean_name(name)
    with action_transaction():
        reserve = lock_reserve(reserve_id, actor=actor)
        previous = reserve.name
        if previous == name:
            return reserve
        try:
            with transaction.atomic():
                Reserve.objects.filter(id=reserve.id).update(name=name)
        except IntegrityError:
            raise DuplicateReserveName(name=name) from None
        reserve.name = name
        record(reserve, actor=actor, verb="rename", at=now, data={"previous": previous})
    return reserve
