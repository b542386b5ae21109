"""End to end (issue 14 items 8 and 3), in a real browser: a visitor finds a room on the
organisation's public pages, picks a day and a free session, sets the players (the price
follows), gives their details and pays with the simulated card; the confirmation email's
link to their personal space asks them to sign in (an emailed one-time link), then they
fill the players' names. axe-core (WCAG 2.1 A/AA) on every page; the room's page and the
players' page in English, French and Spanish and at 390 px, screenshotted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from tentative.accounts.actions import customer_user, sign_in_url
from tentative.bookings import actions
from tentative.bookings.models import Booking, Participant
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.shared.actor import Actor
from tentative.worker.loop import drain
from tests.e2e.test_customer_journeys import mail_to, one_link
from tests.e2e.test_staff_pages import WCAG, screenshots
from tests.factories import MembershipFactory
from tests.notifications.conftest import smtp  # noqa: F401  (the fixture)
from tests.notifications.helpers import text_of
from tests.rooms.factories import book, escape_room, in_days, prices

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(screenshots() / f"room-online-{name}.png"), full_page=True)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    assert not results.violations_count, f"{name}:\n{results.generate_report()}"


@pytest.fixture
def world(live_server, settings, smtp):  # type: ignore[no-untyped-def]  # noqa: F811
    settings.PUBLIC_URL = live_server.url
    member = MembershipFactory(role=Role.OWNER)
    org = member.organisation
    org.languages = ["en", "fr", "es"]
    org.save()
    owner = Actor.staff(member)
    vault = escape_room(org, owner)
    # One session of the day already taken: shown, not bookable.
    book(owner, vault, in_days(org, 3, "11:30"), 3, mode=State.CONFIRMED)
    drain()
    return org, vault


def test_a_visitor_books_a_session_pays_by_card_then_names_the_players(
    live_server,
    browser,
    world,
    smtp,  # noqa: F811
):  # type: ignore[no-untyped-def]
    org, vault = world
    base = live_server.url
    day = timezone.localtime(timezone.now(), org.zone).date() + timedelta(days=3)
    context = browser.new_context(locale="en-GB", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{base}/o/{org.slug}/")
    shot(page, "1-shop")
    page.click("text=See sessions and book")
    page.wait_for_url(f"**/o/{org.slug}/rooms/{vault.id}/")
    page.click(f"nav.week a[href='?date={day.isoformat()}']")
    page.wait_for_url(f"**?date={day.isoformat()}")
    assert page.locator(".slot.taken").count() == 1
    page.locator("label.slot").nth(1).click()  # 14:00 (10:00, then 11:30 is taken)
    inputs = page.locator("fieldset.players input[type=number]")
    inputs.nth(0).fill("3")
    inputs.nth(1).fill("1")
    assert page.inner_text("#session-total") == "110.00 EUR"
    page.fill("input[name=name]", "Ada Lovelace")
    page.fill("input[name=email]", "ada@example.org")
    shot(page, "2-room-filled")
    page.click("button:has-text('Book now')")
    page.wait_for_url("**/simulated-card/**")
    shot(page, "3-card")
    page.check("input[value=success]")
    page.click("button.primary")
    page.wait_for_url(f"**/o/{org.slug}/done/**")
    assert "Your booking is confirmed" in page.inner_text("main")
    shot(page, "4-done")
    booking = Booking.objects.get(customer__email="ada@example.org")
    assert booking.state == State.CONFIRMED
    assert booking.lines.first().starts_at == in_days(org, 3, "14:00")

    # The confirmation email links to the booking in the personal space.
    since = len(smtp.received)
    drain()
    [confirmed] = mail_to(smtp, "ada@example.org", since)
    manage = one_link(text_of(confirmed), rf"http://\S+/o/{org.slug}/me/bookings/\S+/")
    page.goto(manage)
    page.wait_for_url("**/me/sign-in/**")
    page.fill("input[name=email]", "ada@example.org")
    page.click("main button[type=submit]")
    page.wait_for_selector("p.done")
    since = len(smtp.received)
    drain()
    [sign_in] = mail_to(smtp, "ada@example.org", since)
    page.goto(one_link(text_of(sign_in), rf"http://\S+/o/{org.slug}/me/link/\S+"))
    page.click("main button[type=submit]")
    page.wait_for_url(manage)
    shot(page, "5-booking")
    page.click("text=Name the players")
    page.wait_for_url("**/players/")
    fields = page.locator("main form input[type=text]")
    assert fields.count() == 4
    for n, name in enumerate(["Ada", "Ben", "Cy", "Dee"]):
        fields.nth(n).fill(name)
    shot(page, "6-players")
    page.click("button:has-text('Save the names')")
    page.wait_for_url(manage)
    assert "The players' names are saved." in page.inner_text("main")
    names = Participant.objects.filter(line__booking=booking).values_list("name", flat=True)
    assert sorted(names) == ["Ada", "Ben", "Cy", "Dee"]
    context.close()


@pytest.mark.parametrize(
    ("language", "viewport", "legend"),
    [
        ("en", {"width": 1280, "height": 900}, "Players"),
        ("fr", {"width": 1280, "height": 900}, "Joueurs"),
        ("es", {"width": 1280, "height": 900}, "Jugadores"),
        ("en", PHONE, "Players"),
    ],
)
def test_the_room_page_in_three_languages_and_on_a_phone(
    live_server, browser, world, language, viewport, legend
):  # type: ignore[no-untyped-def]
    org, vault = world
    context = browser.new_context(locale=language, viewport=viewport)
    page = context.new_page()
    day = in_days(org, 3).date().isoformat()
    page.goto(f"{live_server.url}/o/{org.slug}/rooms/{vault.id}/?date={day}")
    assert page.locator("html").get_attribute("lang") == language
    assert legend in page.inner_text("fieldset.players legend")
    # Nothing wider than the screen on a phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], width
    shot(page, f"room-{language}-{viewport['width']}")
    # A bad submission: the messages next to the fields, still accessible.
    page.click("form.book button[type=submit]")
    page.wait_for_selector("#session-error")
    shot(page, f"room-errors-{language}-{viewport['width']}")
    page.goto(f"{live_server.url}/o/{org.slug}/")
    shot(page, f"shop-{language}-{viewport['width']}")
    # The players' page of the personal space, signed in from an emailed link.
    booking = actions.book_session_online(
        actor=Actor.visitor(org.id),
        organisation_id=org.id,
        room_id=vault.id,
        starts_at=in_days(org, 3, "17:00"),
        players={prices(vault)[0]: 2, prices(vault)[1]: 1},
        contact=actions.Contact("Ada", "ada@example.org", language=language),
    )
    page.goto(sign_in_url(org, customer_user(org.id, "ada@example.org")))
    page.click("main button[type=submit]")
    page.wait_for_url("**/me/")
    page.goto(f"{live_server.url}/o/{org.slug}/me/bookings/{booking.reference}/")
    assert page.locator(f"a[href$='/bookings/{booking.reference}/players/']").count() == 1
    page.goto(f"{live_server.url}/o/{org.slug}/me/bookings/{booking.reference}/players/")
    assert page.locator("main form input[type=text]").count() == 3
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], width
    shot(page, f"players-{language}-{viewport['width']}")
    context.close()
