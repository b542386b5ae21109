"""Remove a question from an event's public booking form. Answers already given stay on
their bookings, with the question's label as it was asked."""

from __future__ import annotations

from datetime import datetime

from tentative.catalog.access import access_event, check_may_manage_catalogue
from tentative.catalog.actions._common import record
from tentative.catalog.models import Question
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.errors import NotFound
from tentative.shared.transactions import action_transaction


def remove_question(
    event_id: int, question_id: int, *, actor: Actor, now: datetime | None = None
) -> None:
    now = now_or(now)
    check_may_manage_catalogue(actor)
    with action_transaction():
        event = access_event(actor, event_id, lock=True)
        question = Question.objects.filter(event=event, id=question_id).first()
        if question is None:
            raise NotFound()
        question.delete()
        record(
            event.organisation_id,
            actor=actor,
            verb="question_removed",
            at=now,
            data={"event": event.id, "name": event.name, "question": question.label},
        )
