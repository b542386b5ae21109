"""Issue 11 item 2 in a real browser: an event with two dates and a ticket type that needs
approval, set up from the pages alone; the live preview of the deadline rule; then every
catalogue, settings and staff page in en/fr/es at a desk's width and a phone's (390 px):
nothing wider than the screen, the words in the reader's language. Screenshots go to
$TENTATIVE_SCREENSHOTS (else artifacts/screenshots/ at the repository's root)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tentative.catalog.models import Event, EventDate, TicketType
from tentative.core.permissions import Role
from tentative.inventory.models import CapacityPool
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
# What sticks out of the screen (a table scrolls inside its .table-wrap: not counted).
WIDE = """Array.from(document.querySelectorAll('main *'))
  .filter(e => !e.closest('.table-wrap')
    && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 5).map(e => e.tagName + '.' + e.className)"""
TITLES = {"en": "Catalogue", "fr": "Catalogue", "es": "Catálogo"}


def _sign_in(page, base: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/staff/login/")
    page.fill("input[name=username]", "programme")
    page.fill("input[name=password]", "pw-for-tests")
    page.click("button[type=submit]")
    page.wait_for_selector("main")


def test_an_event_with_two_dates_and_an_approval_ticket_type_from_the_pages(live_server, page):
    org = OrganisationFactory(name="Théâtre du Lac", time_zone="Europe/Paris")
    MembershipFactory(organisation=org, role=Role.MANAGER, user__username="programme")
    _sign_in(page, live_server.url)
    page.click("nav.main >> text=Catalogue")
    page.fill("#id_name", "Gala 18+")
    page.click("button:has-text('Create the event')")
    page.wait_for_selector("h1:has-text('Gala 18+')")
    event = Event.objects.get()

    first = timezone.localdate() + timedelta(days=40)
    for day, at in ((first, "20:30"), (first + timedelta(days=1), "18:00")):
        if not page.is_visible("#id_first"):  # the form folds away once dates exist
            page.click("summary:has-text('Add dates')")
        page.check("input[name=kind][value=one]")
        page.fill("#id_first", day.isoformat())
        page.fill("#id_time", at)
        page.fill("#id_duration", "150")
        page.fill("#id_capacity", "120")
        page.click("form[action$='/dates/'] button[type=submit]")
        page.wait_for_selector(".flashes")
    paris = ZoneInfo("Europe/Paris")
    starts = [d.starts_at.astimezone(paris).strftime("%H:%M") for d in EventDate.objects.all()]
    assert starts == ["20:30", "18:00"]
    assert CapacityPool.objects.filter(event_date__event=event, capacity=120).count() == 2
    assert "20:30" in page.inner_text("main")  # the organisation's time, not UTC

    page.click("text=Add a ticket type")
    page.fill("#id_name", "Entrée gala")
    page.fill("#id_price", "55")
    page.check("#id_requires_approval")
    page.fill("#id_approval_note", "Chaque demande est validée par l'équipe sous 3 jours.")
    page.fill("#id_decision_days", "3")
    page.fill("#id_deadline_days_after_booking", "5")
    page.fill("#id_deadline_days_before_start", "2")
    page.wait_for_function(
        "document.getElementById('rule-preview').textContent.includes('5 days after booking')"
    )
    assert "capped at 2 days before the event" in page.inner_text("#rule-preview")
    page.click("button:has-text('Save')")
    page.wait_for_selector("h1:has-text('Gala 18+')")
    ticket = TicketType.objects.get()
    assert ticket.requires_approval and ticket.price == 55 and ticket.event_id == event.id
    assert "needs approval" in page.inner_text("main")

    # A capacity below what is taken is refused on the page, next to its field.
    page.fill(f"#id_capacity-{EventDate.objects.first().id}-capacity", "-4")
    page.click("form.inline-field >> nth=0 >> button")
    assert page.locator(".field-error").first.is_visible()


def test_the_catalogue_settings_and_staff_pages_in_three_languages(live_server, browser):
    org = OrganisationFactory(name="Théâtre du Nord", time_zone="Europe/Paris")
    MembershipFactory(organisation=org, role=Role.OWNER, user__username="programme")
    MembershipFactory(organisation=org, role=Role.AGENT, user__username="guichet")
    event = Event.objects.create(organisation=org, name="Concert au bord du lac")
    start = timezone.now() + timedelta(days=20)
    for i in range(2):
        date = EventDate.objects.create(
            event=event,
            starts_at=start + timedelta(days=7 * i),
            ends_at=start + timedelta(days=7 * i, hours=2),
        )
        CapacityPool.objects.create(organisation=org, event_date=date, capacity=300, taken=0)
    ticket = TicketType.objects.create(
        event=event,
        name="Tarif plein",
        price=32,
        requires_approval=True,
        approval_note="Sur validation",
        deadline_days_after_booking=7,
        deadline_days_before_start=2,
    )
    out = Path(os.environ.get("TENTATIVE_SCREENSHOTS") or ROOT / "artifacts" / "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    pages = {
        "catalogue": "/staff/catalogue/",
        "catalogue-event": f"/staff/catalogue/events/{event.id}/",
        "catalogue-ticket-type": f"/staff/catalogue/types/{ticket.id}/",
        "catalogue-new-ticket-type": f"/staff/catalogue/events/{event.id}/types/new/",
        "settings": "/staff/settings/",
        "staff": "/staff/staff/",
    }
    for language in ("en", "fr", "es"):
        for width in (390, 1280):
            context = browser.new_context(locale=language, viewport={"width": width, "height": 900})
            page = context.new_page()
            for name, path in (
                ("login", "/staff/login/"),
                ("forgot-password", "/staff/password/forgot/"),
            ):
                page.goto(live_server.url + path)
                page.screenshot(path=str(out / f"{name}-{language}-{width}.png"), full_page=True)
            _sign_in(page, live_server.url)
            for name, path in pages.items():
                page.goto(live_server.url + path)
                if name == "catalogue":
                    assert TITLES[language] in page.inner_text("h1")
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0, (language, width, name, page.evaluate(WIDE))
                page.screenshot(path=str(out / f"{name}-{language}-{width}.png"), full_page=True)
            context.close()
