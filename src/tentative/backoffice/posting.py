"""How a staff form is posted, once for every page: parse, call the action, and either go
on (a redirect with what was done) or show the page again with the form as typed, its
errors next to their fields and the refusal in a message; never a 500.

    return submit(request, form, act=lambda data: ..., again=lambda status: ...)

`act` calls the action with the form's clean data and returns the response that follows
(a redirect, after `messages.success`); `again` renders the page with the bound form at the
status given (422 for bad input, the refusal's own status for a domain error); `refused`,
where a refusal belongs next to fields, puts it there and returns the message to flash.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from tentative.shared.errors import DomainError, NotFound

INVALID = _("Please correct the form.")


def found_or_404(
    getter: Callable[..., Any], *args: Any, refusal: type[Exception] = NotFound
) -> Any:
    """`getter(*args)` (an `access_*` helper), or the plain 404 page where it refuses."""
    try:
        return getter(*args)
    except refusal:
        raise Http404() from None


def flash_refusal(form: forms.BaseForm, error: DomainError) -> str:
    """The default: the refusal's text, as a message above the form."""
    return str(error.text)


def submit(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    act: Callable[[dict[str, Any]], HttpResponse],
    again: Callable[[int], HttpResponse],
    refused: Callable[[forms.BaseForm, DomainError], str] = flash_refusal,
) -> HttpResponse:
    if not form.is_valid():
        messages.error(request, INVALID)
        return again(422)
    try:
        return act(form.cleaned_data)
    except DomainError as error:
        messages.error(request, refused(form, error))
        return again(error.status)
