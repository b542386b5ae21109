"""A date's waiting list for staff: `/staff/dates/<id>/waiting-list/` (issue 12 item 5).

Every entry with its position (among those still waiting, per ticket type), what it wants,
what it was offered and its state; the offer's booking is linked. Staff offer the free
places to an entry by hand (out of turn, a phone call) or remove one; both are actions of
the waitlist app, which check the staff member's rights and write the audit entry.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tentative.backoffice.access import staff_actor
from tentative.backoffice.links import booking_url
from tentative.shared.errors import DomainError, NotFound
from tentative.waitlist import actions, labels, selectors
from tentative.waitlist.access import access_entry


@login_required
def waiting_list(request: HttpRequest, date_id: int) -> HttpResponse:
    actor = staff_actor(request)
    try:
        date = selectors.date_of_staff(actor.organisation_id or 0, date_id)
    except NotFound:
        raise Http404() from None
    entries = selectors.entries_of_date(actor.organisation_id or 0, date.id)
    rows = [
        (
            entry,
            labels.label(labels.STATES, entry.state),
            booking_url(entry.offer.reference) if entry.offer else "",
            f"remove-{entry.id}",
        )
        for entry in entries
    ]
    return render(
        request,
        "backoffice/waitlist.html",
        {
            "date": date,
            "rows": rows,
            "waiting": sum(1 for e in entries if e.state == "waiting"),
            "offered": sum(1 for e in entries if e.state == "offered"),
        },
    )


@login_required
@require_POST
def entry_step(request: HttpRequest, date_id: int, entry_id: int, step: str) -> HttpResponse:
    actor = staff_actor(request)
    try:
        entry = access_entry(actor, entry_id)
    except NotFound:
        raise Http404() from None
    if entry.event_date_id != date_id or step not in ("offer", "remove"):
        raise Http404()
    try:
        if step == "offer":
            actions.offer_entry(entry.id, actor=actor)
            messages.success(
                request,
                _("Places offered to %(name)s: an email is on its way.") % {"name": entry.name},
            )
        else:
            actions.remove_entry(entry.id, actor=actor, reason=request.POST.get("reason", ""))
            messages.success(
                request, _("%(name)s was removed from the waiting list.") % {"name": entry.name}
            )
    except DomainError as refusal:
        messages.error(request, refusal.text)
    return redirect("backoffice:waitlist", date_id=date_id)
