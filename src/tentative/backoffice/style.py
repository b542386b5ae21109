"""The style guide: every component of the design system on one page (docs/design.md)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from tentative.backoffice.access import staff_actor
from tentative.bookings import labels
from tentative.core.states import State
from tentative.payments import labels as payment_labels
from tentative.shared.clock import now_or


class SampleForm(forms.Form):
    """A form shown with its errors, as a refused one comes back."""

    name = forms.CharField(label=_("Name"), max_length=80, help_text=_("As printed on the ticket."))
    places = forms.IntegerField(label=_("Places"), min_value=1, max_value=20)
    when = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    notify = forms.BooleanField(label=_("Email the customer"), required=False)


@login_required
def style_guide(request: HttpRequest) -> HttpResponse:
    staff_actor(request)
    now = now_or(None)
    form = SampleForm({"name": "<script>alert(1)</script>", "places": "-2", "when": ""})
    form.is_valid()
    messages.info(request, _("A flash message: what just happened, in one sentence."))
    messages.success(request, _("Saved."))
    messages.warning(request, _("Something needs your attention."))
    messages.error(request, _("That did not work: nothing was changed."))
    return render(
        request,
        "backoffice/style.html",
        {
            "form": form,
            "now": now,
            "soon": now + timedelta(hours=5),
            "later": now + timedelta(days=2, hours=3),
            "past": now - timedelta(hours=1),
            "states": [(s.value, labels.label(labels.STATES, s.value)) for s in State],
            "state_labels": labels.STATES,
            "statuses": list(payment_labels.STATUS.items()),
            "page": Paginator(range(120), 20).get_page(3),
        },
    )
