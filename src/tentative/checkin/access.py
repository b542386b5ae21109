"""Who may check tickets in: every staff member of the organisation (the door is anyone's
job), never a customer. Checked inside the action."""

from __future__ import annotations

from tentative.shared.actor import Actor, ActorKind
from tentative.shared.errors import Forbidden


def check_may_check_in(actor: Actor) -> None:
    if actor.kind != ActorKind.STAFF or actor.organisation_id is None:
        raise Forbidden()
