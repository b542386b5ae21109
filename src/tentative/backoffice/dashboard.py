"""The dashboard at /staff/: what needs doing today, as counts that are links."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tentative.backoffice.access import staff_actor
from tentative.notifications.selectors import dashboard_counts
from tentative.outbox.models import OutboxMessage
from tentative.shared.clock import now_or


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    now = now_or(None)
    failing = (
        OutboxMessage.objects.filter(organisation_id=actor.organisation_id)
        .exclude(status=OutboxMessage.Status.SENT)
        .exclude(last_error="")
        .count()
    )
    return render(
        request,
        "backoffice/dashboard.html",
        {
            "counts": dashboard_counts(actor.organisation_id, now=now),
            "failing": failing,
            "now": now,
        },
    )
