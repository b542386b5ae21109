"""Add a custom field to a service's public booking form (issue 13 item 1: "an optional
custom booking form, fields defined per service"), as `add_question` does for an event."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from tentative.catalog.access import access_service, check_may_manage_catalogue
from tentative.catalog.actions._common import record, validated
from tentative.catalog.actions.add_question import (
    CHOICES_NEEDED,
    MAX_CHOICES,
    MAX_QUESTIONS,
    TOO_MANY_CHOICES,
)
from tentative.catalog.errors import InvalidTerms
from tentative.catalog.models import Question
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction

TOO_MANY = _("A service's form has at most %(max)s fields.")


def add_service_question(
    service_id: int,
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
        service = access_service(actor, service_id, lock=True)
        existing = Question.objects.filter(service=service)
        if existing.count() >= MAX_QUESTIONS:
            raise InvalidTerms({"label": [str(TOO_MANY % {"max": MAX_QUESTIONS})]})
        last = existing.aggregate(last=Max("position"))["last"]
        question = Question(
            organisation_id=service.organisation_id,
            service=service,
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
            service.organisation_id,
            actor=actor,
            verb="service_question_added",
            at=now,
            data={"service": service.id, "name": service.name, "question": question.label},
        )
    return question
