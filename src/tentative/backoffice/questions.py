"""The questions of an event's public booking form (issue 12): `/staff/catalogue/events/<id>/questions/`.

Staff add questions (short or long text, a choice in a list, a checkbox, a number; required
or not, with a help text), remove them, and say whether the form asks a name for each place.
Everyone on the staff reads the page; owners and managers change it (the actions check).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tentative.backoffice.access import staff_actor
from tentative.catalog import actions, selectors
from tentative.catalog.access import access_event, may_manage_catalogue
from tentative.catalog.errors import InvalidTerms
from tentative.catalog.models import Event, Question
from tentative.shared.actor import Actor
from tentative.shared.errors import DomainError, NotFound

ADDED = _("Question added.")
REMOVED = _("Question removed.")
SAVED = _("Saved.")
INVALID = _("Please correct the form.")


class QuestionForm(forms.Form):
    label = forms.CharField(label=_("Question"), max_length=200)
    kind = forms.ChoiceField(label=_("Answer"), choices=Question.Kind.choices)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a choice in a list: one choice per line."),
        max_length=5000,
    )
    help = forms.CharField(label=_("Help text (optional)"), required=False, max_length=300)
    required = forms.BooleanField(label=_("An answer is required"), required=False)


class NamesForm(forms.Form):
    names_required = forms.BooleanField(
        label=_("Ask for the name of each person when booking online"), required=False
    )


def _event(actor: Actor, event_id: int) -> Event:
    try:
        return access_event(actor, event_id)
    except NotFound:
        raise Http404() from None


def _page(
    request: HttpRequest,
    actor: Actor,
    event: Event,
    *,
    form: QuestionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "event": event,
        "questions": list(selectors.questions_of_event(event.id)),
        "form": form or QuestionForm(),
        "names_form": NamesForm(initial={"names_required": event.names_required}),
        "may_manage": may_manage_catalogue(actor),
        "kinds": dict(Question.Kind.choices),
    }
    return render(request, "backoffice/catalogue/questions.html", context, status=status)


@login_required
def questions(request: HttpRequest, event_id: int) -> HttpResponse:
    actor = staff_actor(request)
    event = _event(actor, event_id)
    if request.method != "POST":
        return _page(request, actor, event)
    form = QuestionForm(request.POST)
    if not form.is_valid():
        messages.error(request, INVALID)
        return _page(request, actor, event, form=form, status=422)
    data = form.cleaned_data
    try:
        actions.add_question(
            event.id,
            actor=actor,
            label=data["label"],
            kind=data["kind"],
            help=data["help"],
            required=data["required"],
            choices=data["choices"].splitlines(),
        )
    except InvalidTerms as error:
        for field, texts in error.fields.items():
            for text in texts:
                form.add_error(field if field in form.fields else None, text)
        messages.error(request, INVALID)
        return _page(request, actor, event, form=form, status=error.status)
    except DomainError as error:
        messages.error(request, error.text)
        return _page(request, actor, event, form=form, status=error.status)
    messages.success(request, ADDED)
    return redirect("backoffice:catalogue_questions", event_id=event.id)


@login_required
@require_POST
def remove(request: HttpRequest, event_id: int, question_id: int) -> HttpResponse:
    actor = staff_actor(request)
    event = _event(actor, event_id)
    try:
        actions.remove_question(event.id, question_id, actor=actor)
    except NotFound:
        raise Http404() from None
    except DomainError as error:
        messages.error(request, error.text)
        return _page(request, actor, event, status=error.status)
    messages.success(request, REMOVED)
    return redirect("backoffice:catalogue_questions", event_id=event.id)


@login_required
@require_POST
def names(request: HttpRequest, event_id: int) -> HttpResponse:
    actor = staff_actor(request)
    event = _event(actor, event_id)
    form = NamesForm(request.POST)
    form.is_valid()  # a checkbox: absent is False, anything else True
    try:
        actions.ask_names(
            event.id, actor=actor, required=bool(form.cleaned_data.get("names_required"))
        )
    except DomainError as error:
        messages.error(request, error.text)
        return _page(request, actor, event, status=error.status)
    messages.success(request, SAVED)
    return redirect("backoffice:catalogue_questions", event_id=event.id)
