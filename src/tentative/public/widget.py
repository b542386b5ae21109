"""The embeddable booking widget (issue 12 item 7, docs/widget.md).

On the organiser's own site, one tag:

    <script src="https://<app>/o/<slug>/widget.js" data-event="<id>" async></script>

shows a *Book* button. On a computer, for a site the organisation allows
(`Organisation.widget_sites`), it opens an overlay framing `/o/<slug>/widget/events/<id>/`:
the event's dates, places left and buttons, in the visitor's language. Elsewhere (a phone,
or a site not allowed) it opens the event's public page in a new tab.

Framing and CSRF, and why the checkout leaves the frame: only the widget's event page may
be framed, and only by the allowed sites (`Content-Security-Policy: frame-ancestors`);
every other page keeps `X-Frame-Options: DENY`. Inside a cross-site frame the browser
withholds the app's cookies (Chromium blocks third-party cookies; ours are SameSite=Lax),
so no CSRF cookie and no session exist there, and a POST from the frame could not pass
Django's CSRF check — nor should it be exempted. So the frame posts nothing: choosing
places there is a GET form opening `/o/<slug>/widget/continue/` in a new tab, a first-party
page that restates the choice and posts it, with its CSRF token, to the shop's hold
(`public:hold`). From there the checkout is the shop's, unchanged.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from tentative.accounts.models import Organisation
from tentative.catalog import selectors
from tentative.catalog.selectors import sale_modes, sale_rules
from tentative.public.shop import date_rows, organisation_for
from tentative.shared.errors import NotFound

CHOICE_GONE = _(
    "This choice is no longer available (sold out, or no longer on sale). Please choose again."
)


def _language(request: HttpRequest, organisation: Organisation) -> str:
    """`?lang=` when the organisation offers it, else what `organisation_for` chose."""
    wanted = request.GET.get("lang", "")
    offered = organisation.languages or [organisation.default_language]
    if wanted in offered:
        translation.activate(wanted)
        request.LANGUAGE_CODE = wanted
    return translation.get_language() or organisation.default_language


def _web_modes(organisation: Organisation, rows: list[dict[str, Any]]) -> None:
    """The buttons of the web shop for the public, from the sales profiles (`sale_modes`)."""
    rules = sale_rules(organisation)
    now = timezone.now()
    for row in rows:
        for ticket in row["tickets"]:
            ticket["modes"] = list(
                sale_modes(ticket["type"], channel="web", at=now, rules=rules).modes
            )
        row["tickets"] = [t for t in row["tickets"] if t["modes"]]
        row["on_sale"] = row["on_sale"] and bool(row["tickets"])


@require_GET
def widget_js(request: HttpRequest, org_slug: str) -> HttpResponse:
    organisation = organisation_for(request, org_slug)
    languages = organisation.languages or [organisation.default_language]
    labels = {}
    for code in languages:
        with translation.override(code):
            labels[code] = {
                "book": gettext("Book now"),
                "close": gettext("Close"),
                "title": gettext("Booking"),
                "newTab": gettext("(opens in a new tab)"),
            }
    # The address the browser used to fetch this script (ALLOWED_HOSTS vouches for the host).
    base = request.build_absolute_uri("/").rstrip("/")
    context = {
        "config": json.dumps(
            {
                "base": base,
                "slug": organisation.slug,
                "languages": languages,
                "labels": labels,
                "sites": organisation.widget_sites,
            }
        ).replace("</", "<\\/"),
    }
    response = render(
        request, "public/widget/widget.js", context, content_type="text/javascript; charset=utf-8"
    )
    response["Cache-Control"] = "public, max-age=300"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@require_GET
@xframe_options_exempt
def widget_event(request: HttpRequest, org_slug: str, event_id: int) -> HttpResponse:
    """The framed page. Framing is allowed by the organisation's sites only: the CSP header
    names them; with none, nothing may frame it (and X-Frame-Options says DENY too)."""
    organisation = organisation_for(request, org_slug)
    language = _language(request, organisation)
    try:
        event = selectors.public_event(organisation.id, event_id)
    except NotFound:
        raise Http404() from None
    now = timezone.now()
    dates = list(selectors.upcoming_dates(organisation.id, now=now, event_id=event.id))
    rows = date_rows(organisation, dates, now=now)
    _web_modes(organisation, rows)
    response = render(
        request,
        "public/widget/event.html",
        {
            "organisation": organisation,
            "event": event,
            "rows": rows,
            "language": language,
            "languages": _language_links(request, organisation),
            "continue_url": reverse("public:widget_continue", args=[organisation.slug]),
        },
    )
    sites = " ".join(organisation.widget_sites)
    if sites:
        response["Content-Security-Policy"] = f"frame-ancestors 'self' {sites}"
    else:
        response["Content-Security-Policy"] = "frame-ancestors 'none'"
        response["X-Frame-Options"] = "DENY"
    return response


def _language_links(request: HttpRequest, organisation: Organisation) -> list[dict[str, Any]]:
    """Links, not a form: a POST from a cross-site frame has no CSRF cookie to match."""
    current = translation.get_language()
    out = []
    for code in organisation.languages or [organisation.default_language]:
        query = request.GET.copy()
        query["lang"] = code
        out.append(
            {
                "code": code,
                "name": translation.get_language_info(code)["name_local"],
                "url": f"{request.path}?{query.urlencode()}",
                "current": code == current,
            }
        )
    return out


class ChoiceForm(forms.Form):
    date = forms.IntegerField(min_value=1)
    ticket_type = forms.IntegerField(min_value=1)
    quantity = forms.IntegerField(min_value=1, max_value=1000)
    mode = forms.ChoiceField(choices=[(m, m) for m in ("buy", "reserve", "request")])


@require_GET
def widget_continue(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The new tab: the choice made in the frame, restated, with the form that holds the
    places (a POST with this first-party page's CSRF token)."""
    organisation = organisation_for(request, org_slug)
    language = _language(request, organisation)
    form = ChoiceForm(request.GET)
    context: dict[str, Any] = {"organisation": organisation, "language": language}
    if not form.is_valid():
        context["error"] = CHOICE_GONE
        return render(request, "public/widget/continue.html", context, status=400)
    data = form.cleaned_data
    try:
        event_date = selectors.public_date(organisation.id, data["date"])
    except NotFound:
        raise Http404() from None
    now = timezone.now()
    context["event"] = event_date.event
    rows = date_rows(organisation, [event_date], now=now) if event_date.starts_at > now else []
    if rows:
        _web_modes(organisation, rows)
    ticket = next(
        (t for row in rows for t in row["tickets"] if t["type"].id == data["ticket_type"]), None
    )
    if ticket is None or data["mode"] not in ticket["modes"] or ticket["left"] <= 0:
        context["error"] = CHOICE_GONE
        return render(request, "public/widget/continue.html", context, status=409)
    context.update(
        {
            "date": event_date,
            "ticket": ticket,
            "quantity": min(data["quantity"], ticket["max"]),
            "mode": data["mode"],
        }
    )
    response = render(request, "public/widget/continue.html", context)
    # The rest of the flow (the shop's pages) keeps the language chosen in the widget.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", max_age=365 * 24 * 3600
    )
    return response
