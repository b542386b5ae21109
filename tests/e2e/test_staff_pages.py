"""Every staff page in a real browser, in English, French and Spanish (and each at a phone's
390 px in French, the longest words): a full-page screenshot of each, axe-core's WCAG 2.1 A
and AA rules with no violation, no page wider than the screen, no server error.

PAGES is the one table of staff pages: add a line for each page you build (docs/design.md).
Screenshots go to artifacts/screenshots/ at the repository's root (git-ignored), or to
$TENTATIVE_SCREENSHOTS when set.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from tentative.accounts.models import Organisation
from tentative.bookings.models import Booking
from tentative.core.states import State
from tentative.demo import OWNER, create_demo
from tentative.inventory.models import Reserve
from tentative.notifications.models import WebhookEndpoint
from tentative.outbox.models import OutboxMessage
from tentative.payments.models import Voucher
from tentative.worker.loop import drain
from tests.e2e import rooms_pages
from tests.factories import book, staff

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@dataclass
class World:
    """What the pages are shown with: the demo (every booking state, reserves, vouchers,
    payment links), its emails delivered, and a webhook endpoint with a failed delivery."""

    org: Organisation
    option: Booking
    request: Booking
    voucher: Voucher
    reserve: Reserve
    date_id: int
    mail_id: int
    endpoint_id: int
    delivery_id: int
    event_id: int
    ticket_type_id: int


# name, path: ONE line per staff page. Keep names unique (they name the screenshots).
PAGES: list[tuple[str, Callable[[World], str]]] = [
    ("login", lambda w: "/staff/login/"),
    ("dashboard", lambda w: "/staff/"),
    ("style-guide", lambda w: "/staff/style/"),
    ("bookings", lambda w: "/staff/bookings/"),
    ("bookings-requests", lambda w: "/staff/bookings/?state=request"),
    ("booking", lambda w: f"/staff/bookings/{w.option.reference}/"),
    ("booking-request", lambda w: f"/staff/bookings/{w.request.reference}/"),
    ("bookings-search", lambda w: "/staff/bookings/?q=a"),
    ("booking-payments", lambda w: f"/staff/bookings/{w.option.reference}/payments/"),
    ("booking-money", lambda w: f"/staff/bookings/{w.option.reference}/money/"),
    ("vouchers", lambda w: "/staff/vouchers/"),
    ("voucher", lambda w: f"/staff/vouchers/{w.voucher.code}/"),
    ("reserves", lambda w: "/staff/reserves/"),
    ("reserve", lambda w: f"/staff/reserves/{w.reserve.id}/"),
    ("reserves-report", lambda w: f"/staff/reserves/dates/{w.date_id}/"),
    ("notifications", lambda w: "/staff/notifications/"),
    ("mail", lambda w: "/staff/notifications/mail/"),
    ("mail-detail", lambda w: f"/staff/notifications/mail/{w.mail_id}/"),
    ("webhooks", lambda w: "/staff/notifications/webhooks/"),
    ("webhook-endpoint", lambda w: f"/staff/notifications/webhooks/{w.endpoint_id}/"),
    ("webhook-delivery", lambda w: f"/staff/notifications/webhooks/deliveries/{w.delivery_id}/"),
    ("email-templates", lambda w: "/staff/notifications/templates/"),
    ("email-template", lambda w: "/staff/notifications/templates/approved/fr/"),
    ("reminders", lambda w: "/staff/notifications/settings/"),
    ("catalogue", lambda w: "/staff/catalogue/"),
    ("catalogue-event", lambda w: f"/staff/catalogue/events/{w.event_id}/"),
    ("catalogue-ticket-type", lambda w: f"/staff/catalogue/types/{w.ticket_type_id}/"),
    ("catalogue-new-ticket-type", lambda w: f"/staff/catalogue/events/{w.event_id}/types/new/"),
    ("catalogue-questions", lambda w: f"/staff/catalogue/events/{w.event_id}/questions/"),
    ("settings", lambda w: "/staff/settings/"),
    ("staff", lambda w: "/staff/staff/"),
    ("forgot-password", lambda w: "/staff/password/forgot/"),
    ("pending", lambda w: "/staff/pending/"),
    ("options", lambda w: "/staff/options/?window=30"),
    ("customers", lambda w: "/staff/customers/"),
    ("customer", lambda w: f"/staff/customers/{w.org.customers.order_by('-kind', 'id')[0].id}/"),
    ("customer-new", lambda w: "/staff/customers/new/"),
    ("box-office", lambda w: "/staff/box-office/"),
    ("attendees", lambda w: f"/staff/dates/{w.date_id}/attendees/"),
    ("check-in", lambda w: f"/staff/check-in/?date={w.date_id}"),
    ("waiting-list", lambda w: f"/staff/dates/{waitlist_date(w)}/waiting-list/"),
    ("audiences", lambda w: "/staff/audiences/"),
    ("audience", lambda w: f"/staff/audiences/{w.org.audiences.order_by('id')[1].id}/"),
    ("sales-profiles", lambda w: "/staff/sales-profiles/"),
    ("sales-profile", lambda w: f"/staff/sales-profiles/{w.org.sales_profiles.first().id}/"),
    ("widget", lambda w: "/staff/widget/"),
    # Issue 13 (calendar): the calendar, appointment services, a staff member's hours.
    ("calendar", lambda w: "/staff/calendar/"),
    ("services", lambda w: "/staff/services/"),
    ("service", lambda w: f"/staff/services/{w.org.services.filter(kind='appointment')[0].id}/"),
    (
        "staff-hours",
        lambda w: f"/staff/services/staff/{w.org.resources.filter(kind='staff')[0].id}/",
    ),
    ("planning", lambda w: rooms_pages.planning_day(w.org)),
    ("planning-week", lambda w: rooms_pages.planning_week(w.org)),
    ("planning-book", lambda w: rooms_pages.book_session(w.org)),
    ("session-booking", lambda w: rooms_pages.booking(w.org)),
    ("session-players", lambda w: rooms_pages.players(w.org)),
    ("session-move", lambda w: rooms_pages.move(w.org)),
    ("session-photos", lambda w: rooms_pages.session_photos(w.org)),
    ("planning-photos", lambda w: rooms_pages.day_photos(w.org)),
    ("session-cancel", lambda w: rooms_pages.session_cancel(w.org)),
    ("rooms", lambda w: rooms_pages.rooms()),
    ("room", lambda w: rooms_pages.room(w.org)),
    ("room-places", lambda w: rooms_pages.room_places(w.org)),
    ("places-box-office", lambda w: rooms_pages.places_box_office(w.org)),
]


def waitlist_date(world: World) -> int:
    """The demo's sold-out date, whose waiting list has people and an open offer."""
    from tentative.waitlist.models import WaitlistEntry

    entries = WaitlistEntry.objects.filter(organisation=world.org)
    return entries.values_list("event_date_id", flat=True).first()  # type: ignore[return-value]


def build_world() -> World:
    create_demo()
    org = Organisation.objects.get(slug="demo")
    WebhookEndpoint.objects.create(
        organisation=org, url="http://127.0.0.1:9/tentative-hook", topics=["booking.created"]
    )
    # A booking made after the endpoint: its webhook delivery fails (nothing listens).
    date = org.events.get(name="Concert au bord du lac").dates.order_by("starts_at").first()
    book(staff(org), date, date.event.ticket_types.order_by("id").first(), mode=State.OPTION)
    drain()
    bookings = Booking.objects.filter(organisation=org)
    return World(
        org=org,
        option=bookings.filter(state="option").order_by("id").first(),  # type: ignore[arg-type]
        request=bookings.filter(state="request").order_by("id").first(),  # type: ignore[arg-type]
        voucher=Voucher.objects.filter(organisation=org).order_by("id").first(),  # type: ignore[arg-type]
        reserve=Reserve.objects.filter(organisation=org).order_by("id").first(),  # type: ignore[arg-type]
        date_id=date.id,
        mail_id=OutboxMessage.objects.filter(organisation_id=org.id, kind="email")
        .order_by("id")
        .values_list("id", flat=True)
        .first(),  # type: ignore[arg-type]
        endpoint_id=WebhookEndpoint.objects.get(organisation=org).id,
        delivery_id=OutboxMessage.objects.filter(organisation_id=org.id, kind="webhook")
        .order_by("id")
        .values_list("id", flat=True)
        .first(),  # type: ignore[arg-type]
        event_id=date.event_id,
        ticket_type_id=date.event.ticket_types.order_by("id").first().id,  # type: ignore[union-attr]
    )


def screenshots() -> Path:
    out = Path(os.environ.get("TENTATIVE_SCREENSHOTS") or ROOT / "artifacts" / "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.mark.parametrize(
    ("language", "width"), [("en", 1280), ("fr", 1280), ("es", 1280), ("fr", 390)]
)
def test_every_staff_page_renders_and_passes_axe(live_server, browser, language, width):  # type: ignore[no-untyped-def]
    world = build_world()
    out = screenshots()
    axe = Axe()
    context = browser.new_context(locale=language, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/staff/login/")
    page.fill("input[name=username]", OWNER[0])
    page.fill("input[name=password]", OWNER[1])
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/staff/")
    problems: list[str] = []
    for name, path in PAGES:
        response = page.goto(live_server.url + path(world))
        assert response is not None and response.status == 200, (name, language)
        assert page.evaluate("document.documentElement.lang") == language, name
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            problems.append(f"{name}: {overflow}px wider than the screen")
        page.screenshot(path=str(out / f"{name}-{language}-{width}.png"), full_page=True)
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
        if results.violations_count:
            problems.append(f"{name} ({language}, {width}px):\n{results.generate_report()}")
    context.close()
    assert not problems, "\n".join(problems)
