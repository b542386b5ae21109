"""The one clock of the actions: the caller's `now` when it gives one (tests, sweeps that
act as of one instant), else the present."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def now_or(now: datetime | None) -> datetime:
    return now or timezone.now()
