"""Add a question to an event's public booking form (issue 12: custom questions)."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from tentative.catalog.access import access_event, check_may_manage_catalogue
from tentative.catalog.actions._common import record
from tentative.catalog.actions._question import append_question, checked_choices
from tentative.catalog.models import Question
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction

TOO_MANY = _("An event asks at most %(max)s questions.")


def add_question(
    event_id: int,
    *,
    actor: Actor,
    label: str,
    kind: str = Question.Kind.TEXT,
    help: str = "",
    required: bool = False,
    choices: list[str] | None = None,
    now: datetime | None = None,
) -> Question:
    now = now_or(now)
    check_may_manage_catalogue(actor)
    cleaned = checked_choices(kind, choices)
    with action_transaction():
        event = access_event(actor, event_id, lock=True)
        question = append_question(
            event.organisation_id,
            {"event": event},
            too_many=TOO_MANY,
            label=label,
            kind=kind,
            help=help,
            required=required,
            choices=cleaned,
        )
        record(
            event.organisation_id,
            actor=actor,
            verb="question_added",
            at=now,
            data={"event": event.id, "name": event.name, "question": question.label},
        )
    return question
