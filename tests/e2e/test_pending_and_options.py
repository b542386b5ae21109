"""End to end (issue 11 items 4 and 5), in Debian's Chromium against the live app:

- staff tick 3 of 5 pending requests and accept them, then refuse the other 2 with a
  message; the page shows the outcome per request, and the customers' emails (approved
  with the tickets, not accepted with the message) arrive at a real SMTP server once the
  worker's work has run (`drain`);
- under the flexible policy, staff allow one overdue option until a new date and release
  another from the release screen; the extended one keeps the flexible treatment.

Screenshots of both pages, in English, French and Spanish at a phone's width, go to
$TENTATIVE_SCREENSHOTS (default: var/screenshots/pending).
"""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tentative.bookings.models import Booking
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.inventory.capacity import reconcile
from tentative.worker.loop import drain
from tests.factories import CustomerFactory, MembershipFactory, book, on_sale, staff
from tests.notifications.conftest import smtp  # noqa: F401  (the fixture)
from tests.notifications.helpers import text_of

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(os.environ.get("TENTATIVE_SCREENSHOTS", "var/screenshots/pending"))


def sign_in(browser, live_server, username, *, locale="en-GB", width=1280):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/staff/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-for-tests")
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/")
    return context, page


def screenshots(browser, live_server, username, path, name):  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    for language in ("en-GB", "fr-FR", "es-ES"):
        context, page = sign_in(browser, live_server, username, locale=language, width=390)
        page.goto(f"{live_server.url}{path}")
        page.screenshot(path=str(SHOTS / f"{name}-{language[:2]}-390.png"), full_page=True)
        context.close()


def test_accept_three_of_five_requests_and_refuse_two_with_a_message(
    live_server,
    browser,
    smtp,  # noqa: F811
):
    member = MembershipFactory(role=Role.AGENT, user__username="desk")
    org = member.organisation
    org.name = "Théâtre du Port"
    org.save()
    date, ticket = on_sale(
        org, capacity=10, name="Tarif plein", requires_approval=True, requests_hold_capacity=False
    )
    owner = staff(org)
    made = [
        book(
            owner,
            date,
            ticket,
            mode=State.REQUEST,
            customer_id=CustomerFactory(
                organisation=org,
                language="en",
                name=f"Guest Number{i}",
                email=f"guest{i}@example.org",
            ).id,
        )
        for i in range(5)
    ]
    drain()  # the request_received emails
    before = len(smtp.received)

    context, page = sign_in(browser, live_server, "desk")
    page.click("text=Pending orders")
    page.wait_for_url("**/staff/pending/")
    # Select all, then untick two: three stay ticked.
    page.check("[data-select-all=booking]")
    assert page.inner_text("[data-selected-count=booking]") == "5"
    page.uncheck(f"#pick-{made[3].id}")
    page.uncheck(f"#pick-{made[4].id}")
    assert page.inner_text("[data-selected-count=booking]") == "3"
    assert page.is_checked("[data-select-all=booking]") is False
    page.click("button[value=accept]")
    page.wait_for_selector("text=Decision recorded.")
    assert "Accepted: 3" in page.inner_text("main")
    rows = page.inner_text("main")
    assert all(b.reference in rows for b in made[3:])  # still waiting, listed

    page.check("[data-select-all=booking]")
    assert page.inner_text("[data-selected-count=booking]") == "2"
    page.fill("textarea[name=message]", "The hall is reserved for members that night.")
    page.click("button[value=refuse]")
    page.wait_for_selector("text=Decision recorded.")
    assert "Refused: 2" in page.inner_text("main")
    assert "No request is waiting for a decision." in page.inner_text("main")
    states = dict(Booking.objects.values_list("id", "state"))
    assert [states[b.id] for b in made] == ["confirmed"] * 3 + ["declined"] * 2
    assert reconcile() == []

    # The date's attendee list: the three accepted are expected at the door, the two
    # refused are not.
    page.goto(f"{live_server.url}/staff/dates/{date.id}/attendees/")
    table = page.inner_text("table.attendees tbody")
    for b in made[:3]:
        assert b.reference in table
    assert "Guest Number0" in table and "Guest Number2" in table
    for b in made[3:]:
        assert b.reference not in table
    assert "Guest Number3" not in table and "Guest Number4" not in table
    assert page.locator("table.attendees tbody tr").count() == 3
    context.close()

    drain()  # fan-out and delivery
    approved = [m for m in smtp.received[before:] if "is approved" in str(m["Subject"])]
    refused = [m for m in smtp.received[before:] if "was not accepted" in str(m["Subject"])]
    assert sorted(m["To"] for m in approved) == [f"guest{i}@example.org" for i in range(3)]
    assert sorted(m["To"] for m in refused) == ["guest3@example.org", "guest4@example.org"]
    for message in refused:
        assert "The hall is reserved for members that night." in text_of(message)
    for message in approved:
        assert "Your booking is confirmed" in text_of(message)

    screenshots(browser, live_server, "desk", "/staff/pending/", "pending")


def test_extend_one_overdue_option_and_release_another_under_the_flexible_policy(
    live_server, browser
):
    member = MembershipFactory(role=Role.MANAGER, user__username="box-office")
    org = member.organisation
    org.deadline_policy, org.deadline_grace, org.deadline_at_limit = "flexible", None, "review"
    org.save()
    date, ticket = on_sale(org, capacity=10, name="Tarif plein", deadline_days_after_booking=2)
    owner = staff(org)
    keep = book(owner, date, ticket, quantity=2, now=timezone.now() - timedelta(days=3))
    drop = book(owner, date, ticket, quantity=3, now=timezone.now() - timedelta(days=3))
    assert keep.deadline_shown < timezone.now() and keep.deadline_enforced is None  # overdue

    context, page = sign_in(browser, live_server, "box-office")
    page.click("text=Options to release")
    page.wait_for_url("**/staff/options/")
    assert "Flexible" in page.inner_text("main")
    assert page.inner_text("main").count("held until you act") == 2
    until = timezone.localtime(timezone.now() + timedelta(days=5), org.zone).replace(
        second=0, microsecond=0
    )
    page.fill(f"#until-{keep.id}", until.strftime("%Y-%m-%dT%H:%M"))
    page.click(f"button[name=extend_one][value='{keep.id}']")
    page.wait_for_selector("text=Allowed until")
    page.click(f"button[name=release_one][value='{drop.id}']")
    page.wait_for_selector("text=Released")
    context.close()

    kept, dropped = Booking.objects.get(id=keep.id), Booking.objects.get(id=drop.id)
    assert dropped.state == "expired" and not dropped.holds_capacity
    assert kept.state == "option" and kept.deadline_shown == until
    # The flexible treatment stays: held past the new date until staff act, for review.
    assert (kept.deadline_enforced, kept.at_limit) == (None, "review")
    assert reconcile() == []

    screenshots(browser, live_server, "box-office", "/staff/options/?window=30", "options")
