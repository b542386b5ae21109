"""Add a custom field to a service's public booking form (issue 13 item 1: "an optional
custom booking form, fields defined per service"), as `add_question` does for an event."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from tentative.catalog.access import access_service, check_may_manage_catalogue
from tentative.catalog.actions._common import record
from tentative.catalog.actions._question import append_question, checked_choices
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
    cleaned = checked_choices(kind, choices)
    with action_transaction():
        service = access_service(actor, service_id, lock=True)
        question = append_question(
            service.organisation_id,
            {"service": service},
            too_many=TOO_MANY,
            label=label,
            kind=kind,
            help=help,
            required=required,
            choices=cleaned,
        )
        record(
            service.organisation_id,
            actor=actor,
            verb="service_question_added",
            at=now,
            data={"service": service.id, "name": service.name, "question": question.label},
        )
    return question
