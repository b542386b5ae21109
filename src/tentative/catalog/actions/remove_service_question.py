"""Remove a custom field from a service's booking form. Answers already given stay on their
bookings, with the field's label as it was asked."""

from __future__ import annotations

from datetime import datetime

from tentative.catalog.access import access_service, check_may_manage_catalogue
from tentative.catalog.actions._common import record
from tentative.catalog.models import Question
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.errors import NotFound
from tentative.shared.transactions import action_transaction


def remove_service_question(
    service_id: int, question_id: int, *, actor: Actor, now: datetime | None = None
) -> None:
    now = now_or(now)
    check_may_manage_catalogue(actor)
    with action_transaction():
        service = access_service(actor, service_id, lock=True)
        question = Question.objects.filter(service=service, id=question_id).first()
        if question is None:
            raise NotFound()
        question.delete()
        record(
            service.organisation_id,
            actor=actor,
            verb="service_question_removed",
            at=now,
            data={"service": service.id, "name": service.name, "question": question.label},
        )
