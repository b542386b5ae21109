"""The public pages' forms: choosing places, and the checkout form (contact details, a
name per place, the event's questions). Every field validated with its error next to it;
values typed are kept when the form comes back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from tentative.bookings.actions import Contact, Submission
from tentative.catalog.models import Question
from tentative.public.shop import SaleMode
from tentative.shared.errors import DomainError

UNKNOWN_TICKET = _("This ticket type is not sold on this date. Please choose again.")
MODE_NOT_OFFERED = _("This choice is not available for this ticket type.")
MAX_ANSWER = 2000


class HoldForm(forms.Form):
    ticket_type = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    quantity = forms.IntegerField(
        label=_("Places"),
        min_value=1,
        max_value=1000,
        error_messages={
            "required": _("Please say how many places you want."),
            "invalid": _("Please give the number of places as a whole number."),
            "min_value": _("Please choose at least one place."),
            "max_value": _("That is more places than we can sell at once."),
        },
    )
    mode = forms.ChoiceField(
        choices=[(m.value, m.value) for m in SaleMode],
        error_messages={"invalid_choice": MODE_NOT_OFFERED, "required": MODE_NOT_OFFERED},
    )


MODE_LABELS = {
    "buy": _("Buy now: pay by card on the next page"),
    "reserve": _("Reserve now, pay later (before the deadline)"),
    "request": _("Request: the organiser approves it first"),
}


class CheckoutForm(forms.Form):
    mode = forms.ChoiceField(label=_("How do you want to book?"), widget=forms.RadioSelect)
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("We send your confirmation and the link to your bookings there."),
    )
    phone = forms.RegexField(
        label=_("Phone (optional)"),
        required=False,
        max_length=40,
        regex=r"^[0-9+()\-. ]*$",
        error_messages={"invalid": _("Use digits, spaces and + ( ) - . only.")},
    )
    language = forms.ChoiceField(label=_("Language of our emails"))

    def __init__(
        self,
        *args: Any,
        modes: list[str],
        places: int,
        questions: list[Question],
        languages: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mode"].choices = [(m, MODE_LABELS[m]) for m in modes]
        if len(modes) == 1:
            self.fields["mode"].widget = forms.HiddenInput()
        self.fields["language"].choices = [
            (code, get_language_info(code)["name_local"].capitalize())
            for code, _name in settings.LANGUAGES
            if code in languages
        ]
        self.places = places
        for index in range(places):
            self.fields[f"place_{index}"] = forms.CharField(
                label=_("Name for place %(n)s") % {"n": index + 1}, max_length=200
            )
        self.questions = questions
        for question in questions:
            self.fields[f"q_{question.id}"] = _question_field(question)

    @property
    def contact_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("name", "email", "phone", "language")]

    @property
    def place_fields(self) -> list[forms.BoundField]:
        return [self[f"place_{i}"] for i in range(self.places)]

    @property
    def question_fields(self) -> list[forms.BoundField]:
        return [self[f"q_{q.id}"] for q in self.questions]

    def submission(self) -> Submission:
        data = self.cleaned_data
        answers = {}
        for question in self.questions:
            value = data.get(f"q_{question.id}")
            if value in (None, "") and not question.required:
                continue
            answers[str(question.id)] = {
                "label": question.label,
                "kind": question.kind,
                "value": str(value) if isinstance(value, Decimal) else value,
            }
        return Submission(
            contact=Contact(
                name=data["name"],
                email=data["email"],
                phone=data.get("phone", ""),
                language=data["language"],
            ),
            mode=data["mode"],
            names=tuple(data[f"place_{i}"] for i in range(self.places)),
            answers=answers,
        )

    def add_refusal(self, refusal: DomainError) -> None:
        """The action's refusal next to the field it concerns, else above the form."""
        name = refusal.params.get("field")
        if name == "names" and self.places:
            name = "place_0"
        self.add_error(name if name in self.fields else None, refusal.text)


def _question_field(question: Question) -> forms.Field:
    common: dict[str, Any] = {
        "label": question.label,
        "required": question.required,
        "help_text": question.help,
    }
    if question.kind == Question.Kind.LONG_TEXT:
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_ANSWER, **common
        )
    if question.kind == Question.Kind.CHOICE:
        choices = [(c, c) for c in question.choices if isinstance(c, str)]
        return forms.ChoiceField(choices=[("", "—"), *choices], **common)
    if question.kind == Question.Kind.CHECKBOX:
        return forms.BooleanField(**common)
    if question.kind == Question.Kind.NUMBER:
        return forms.DecimalField(max_digits=12, decimal_places=2, **common)
    return forms.CharField(max_length=MAX_ANSWER, **common)
