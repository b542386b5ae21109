"""Words for a waiting list entry's states (codes stay untranslated for programs)."""

from __future__ import annotations

from django.utils.functional import Promise

from tentative.shared.labels import label as label  # labels.label(labels.STATES, code)
from tentative.waitlist.models import WaitlistEntry

STATES: dict[str, Promise] = dict(WaitlistEntry.State.choices)  # type: ignore[arg-type]
