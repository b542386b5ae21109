"""Add a question to an event's public booking form (issue 12: custom questions)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from tentative.catalog.access import access_event, check_may_manage_catalogue
from tentative.catalog.actions._common import record, validated
from tentative.catalog.errors import InvalidTerms
from tentative.catalog.models import Question
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction

MAX_QUESTIONS = 30
MAX_CHOICES = 50
CHOICES_NEEDED = _("Give at least two choices, one per line.")
TOO_MANY_CHOICES = _("At most %(max)s choices, each of at most 200 characters.")
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
    cleaned = [c.strip() for c in (choices or []) if c.strip()]
    if kind == Question.Kind.CHOICE:
        if len(cleaned) < 2:
            raise InvalidTerms({"choices": [str(CHOICES_NEEDED)]})
        if len(cleaned) > MAX_CHOICES or any(len(c) > 200 for c in cleaned):
            raise InvalidTerms({"choices": [str(TOO_MANY_CHOICES % {"max": MAX_CHOICES})]})
    else:
        cleaned = []
    with action_transaction():
        event = access_event(actor, event_id, lock=True)
        existing = Question.objects.filter(event=event)
        if existing.count() >= MAX_QUESTIONS:
            raise InvalidTerms({"label": [str(TOO_MANY % {"max": MAX_QUESTIONS})]})
        last = existing.aggregate(last=Max("position"))["last"]
        question = Question(
            organisation_id=event.organisation_id,
            event=event,
            label=label.strip(),
            help=help.strip(),
            kind=kind,
            required=required,
            choices=list(dict.fromkeys(cleaned)),
            position=(last or 0) + 1,
        )
        validated(question)
        question.save()
        record(
            event.organisation_id,
            actor=actor,
            verb="question_added",
            at=now,
            data={"event": event.id, "name": event.name, "question": question.label},
        )
    return question
