"""What adding a question to a booking form means, whether the form is an event's (issue 12)
or a service's (issue 13): the choices checked, a cap on the form's length, the next
position. The two verbs differ only in whose form it is and what their audit entry says."""

from __future__ import annotations

from typing import Any

from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from tentative.catalog.actions._common import validated
from tentative.catalog.errors import InvalidTerms
from tentative.catalog.models import Question

MAX_QUESTIONS = 30
MAX_CHOICES = 50
CHOICES_NEEDED = _("Give at least two choices, one per line.")
TOO_MANY_CHOICES = _("At most %(max)s choices, each of at most 200 characters.")


def checked_choices(kind: str, choices: list[str] | None) -> list[str]:
    """The choices of a "choice" question, stripped and distinct; none for other kinds."""
    if kind != Question.Kind.CHOICE:
        return []
    cleaned = [c.strip() for c in (choices or []) if c.strip()]
    if len(cleaned) < 2:
        raise InvalidTerms({"choices": [str(CHOICES_NEEDED)]})
    if len(cleaned) > MAX_CHOICES or any(len(c) > 200 for c in cleaned):
        raise InvalidTerms({"choices": [str(TOO_MANY_CHOICES % {"max": MAX_CHOICES})]})
    return list(dict.fromkeys(cleaned))


def append_question(
    organisation_id: int,
    owner: dict[str, Any],
    *,
    too_many: Any,
    label: str,
    kind: str,
    help: str,
    required: bool,
    choices: list[str],
) -> Question:
    """A new last question of the form `owner` names ({"event": e} or {"service": s}); the
    caller holds the owner's row lock, so two additions never share a position."""
    existing = Question.objects.filter(**owner)
    if existing.count() >= MAX_QUESTIONS:
        raise InvalidTerms({"label": [str(too_many % {"max": MAX_QUESTIONS})]})
    last = existing.aggregate(last=Max("position"))["last"]
    question = Question(
        organisation_id=organisation_id,
        label=label.strip(),
        help=help.strip(),
        kind=kind,
        required=required,
        choices=choices,
        position=(last or 0) + 1,
        **owner,
    )
    validated(question)
    question.save()
    return question
