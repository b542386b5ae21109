"""The dashboard at /staff/: what needs doing today, as counts that are links, today's dates
with how full they are, and what happened lately, as sentences.

Its query count does not grow with the data (tests/backoffice/test_dashboard.py pins it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tentative.audit.models import AuditEntry
from tentative.backoffice.access import staff_actor
from tentative.backoffice.history import history_sentences
from tentative.catalog.models import EventDate
from tentative.inventory.models import CapacityPool
from tentative.notifications.selectors import dashboard_counts
from tentative.outbox.models import OutboxMessage
from tentative.shared.clock import now_or

DATES_SHOWN = 8
ACTIVITY_SHOWN = 12


@dataclass
class DateFill:
    date: EventDate
    capacity: int
    taken: int

    @property
    def percent(self) -> int:
        return round(100 * self.taken / self.capacity) if self.capacity else 0


def dates_with_fill(organisation_id: int, start: datetime, end: datetime) -> list[DateFill]:
    """The organisation's dates starting in [start, end), soonest first, each with its
    capacity and the places taken on it (general sale and drawn from reserves): two
    queries, whatever the number of dates."""
    dates = list(
        EventDate.objects.filter(
            event__organisation_id=organisation_id, starts_at__gte=start, starts_at__lt=end
        )
        .select_related("event")
        .order_by("starts_at", "id")[:DATES_SHOWN]
    )
    general = Q(ticket_type=None, reserve=None)
    sums = {
        row["event_date_id"]: row
        for row in CapacityPool.objects.filter(event_date__in=dates)
        .values("event_date_id")
        .annotate(
            capacity=Sum("capacity", filter=general),
            taken=Sum("taken", filter=general | Q(reserve__isnull=False)),
        )
    }
    return [
        DateFill(
            date=d,
            capacity=(sums.get(d.id) or {}).get("capacity") or 0,
            taken=(sums.get(d.id) or {}).get("taken") or 0,
        )
        for d in dates
    ]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    now = now_or(None)
    # Today in the organisation's zone (staff_actor activated it), midnight to midnight.
    today = timezone.localtime(now).date()
    zone = timezone.get_current_timezone()
    start = datetime.combine(today, time.min, tzinfo=zone)
    end = datetime.combine(today + timedelta(days=1), time.min, tzinfo=zone)
    todays = dates_with_fill(actor.organisation_id, start, end)
    coming = [] if todays else dates_with_fill(actor.organisation_id, now, now + timedelta(days=60))
    failing = (
        OutboxMessage.objects.filter(organisation_id=actor.organisation_id)
        .exclude(status=OutboxMessage.Status.SENT)
        .exclude(last_error="")
        .count()
    )
    entries = list(
        AuditEntry.objects.filter(organisation_id=actor.organisation_id)
        .select_related("booking", "actor_user")
        .order_by("-at", "-id")[:ACTIVITY_SHOWN]
    )
    # The booking page's sentences, who acted in the reader's language ("automatically",
    # "by Ana"), never the raw actor label of a system job.
    currency = request.staff_organisation.currency  # type: ignore[attr-defined]
    activity = [
        (entry.booking, sentence)
        for entry, sentence in zip(
            entries, history_sentences(entries, currency=currency), strict=True
        )
    ]
    return render(
        request,
        "backoffice/dashboard.html",
        {
            "counts": dashboard_counts(actor.organisation_id, now=now),
            "failing": failing,
            "todays": todays,
            "coming": coming,
            "activity": activity,
            "now": now,
        },
    )
