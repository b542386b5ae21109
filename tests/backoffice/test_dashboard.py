"""The dashboard at /staff/: counts that are links, today's dates with their fill rate,
recent activity as sentences; a constant number of queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tentative.bookings.actions import approve_booking
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.shared.actor import Actor
from tests.factories import MembershipFactory, OrganisationFactory, book, on_sale, staff

pytestmark = pytest.mark.django_db

# 10:00 in Paris: the morning of the dates below.
NOW = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)


def signed_in(client, org, role=Role.OWNER):  # type: ignore[no-untyped-def]
    client.force_login(MembershipFactory(organisation=org, role=role).user)
    return client


def a_busy_day(org, n: int) -> None:  # type: ignore[no-untyped-def]
    """n dates tonight, each with a booking, and n requests."""
    for i in range(n):
        date, ticket = on_sale(
            org, capacity=10, starts_at=NOW + timedelta(hours=10, minutes=i), name=f"Tarif {i}"
        )
        book(staff(org), date, ticket, mode=State.CONFIRMED, quantity=7, now=NOW)
        wait, ask = on_sale(org, requires_approval=True, starts_at=NOW + timedelta(days=30))
        book(staff(org), wait, ask, mode=State.REQUEST, now=NOW)


def test_the_counts_are_links_and_tonights_dates_show_how_full_they_are(client):
    org = OrganisationFactory(time_zone="Europe/Paris")
    a_busy_day(org, 2)
    with time_machine.travel(NOW, tick=False):
        page = signed_in(client, org).get("/staff/").content.decode()
    assert '<span class="n" id="pending-requests">2</span>' in page
    assert 'href="/staff/pending/"' in page
    assert 'href="/staff/options/?window=2"' in page
    assert page.count('<progress value="7" max="10"') == 2
    # 19:00 UTC is 20:00 in Paris: the time is the organisation's.
    assert '<span class="when">8 p.m.</span>' in page, "the time in the organisation's zone"
    # Activity: the history's sentences, the states as words.
    assert "Booked as confirmed" in page and "Booked as request" in page


def test_the_query_count_does_not_grow_with_the_data(client):
    org = OrganisationFactory(time_zone="Europe/Paris")
    counts = []
    for n in (1, 4):
        a_busy_day(org, n)
        with time_machine.travel(NOW, tick=False):
            signed_in(client, org)
            with CaptureQueriesContext(connection) as queries:
                assert client.get("/staff/").status_code == 200
        counts.append(len(queries))
    # session, user, membership, counts, failing, 2 for dates, activity (with its bookings)
    assert counts == [8, 8]


def test_with_no_date_today_the_coming_ones_are_shown(client):
    org = OrganisationFactory(time_zone="Europe/Paris")
    on_sale(org, capacity=5, starts_at=NOW + timedelta(days=3))
    with time_machine.travel(NOW, tick=False):
        page = signed_in(client, org).get("/staff/", headers={"accept-language": "en"})
    html = page.content.decode()
    assert "No date today." in html and "Coming dates" in html
    assert '<progress value="0" max="5"' in html


def test_another_organisations_data_is_not_on_it(client):
    org, other = OrganisationFactory(), OrganisationFactory()
    a_busy_day(other, 2)
    with time_machine.travel(NOW, tick=False):
        page = signed_in(client, org).get("/staff/").content.decode()
    assert '<span class="n" id="pending-requests">0</span>' in page
    assert "<progress" not in page and "Nothing has happened yet." in page


def test_the_overdue_link_lists_the_overdue_options(client):
    org = OrganisationFactory()
    date, ticket = on_sale(org, starts_at=NOW + timedelta(days=30), deadline_days_after_booking=1)
    late = book(staff(org), date, ticket, mode=State.OPTION, now=NOW - timedelta(days=2))
    soon = book(staff(org), date, ticket, mode=State.OPTION, now=NOW)
    with time_machine.travel(NOW, tick=False):
        signed_in(client, org)
        overdue = client.get("/staff/bookings/?state=option&due=overdue").content.decode()
        within = client.get("/staff/bookings/?state=option&due=48h").content.decode()
    assert late.reference in overdue and soon.reference not in overdue
    assert soon.reference in within and late.reference not in within


def test_recent_activity_reads_as_the_booking_history_with_the_actor_translated(client):
    """The dashboard's lines are the booking page's sentences: a system job shows as
    "automatically" in the reader's language, never its raw label."""
    org = OrganisationFactory(time_zone="Europe/Paris")
    date, ticket = on_sale(org, requires_approval=True, starts_at=NOW + timedelta(days=30))
    asked = book(staff(org), date, ticket, mode=State.REQUEST, now=NOW)
    with time_machine.travel(NOW, tick=False):
        approve_booking(asked.id, actor=Actor.system("charge after approval"), now=NOW)
        signed_in(client, org)
        pages = {
            language: client.get("/staff/", headers={"accept-language": language}).content.decode()
            for language in ("en", "fr", "es")
        }
        booking_page = client.get(
            f"/staff/bookings/{asked.reference}/", headers={"accept-language": "fr"}
        ).content.decode()
    assert all("charge after approval" not in page for page in pages.values())
    assert (
        '<span class="sentence">Approved</span> <span class="muted">automatically</span>'
        in (pages["en"])
    )
    french = '<span class="sentence">Acceptée</span> <span class="muted">automatiquement</span>'
    assert french in pages["fr"] and french in booking_page
    assert "automáticamente" in pages["es"]
    assert f"<code>{asked.reference}</code>" in pages["en"]
