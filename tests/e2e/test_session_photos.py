"""End to end (issue 14, photos), in a real browser: staff upload a photo on a session
booking's Photos tab and find it on the day's photo page, its details shown on keyboard
focus; a file that is not an image is refused next to the field; then the booking, paid in
cash, is cancelled from its Cancel tab with a partial refund (a coupon larger than what was
paid refused first, next to its field). axe-core and screenshots
of both pages in English, French, Spanish and at phone width."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from PIL import Image

from tentative.bookings.models import Booking, SessionPhoto
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.payments import actions as payments
from tentative.payments.selectors import balance
from tentative.shared.actor import Actor
from tests.e2e.test_staff_pages import WCAG, screenshots
from tests.factories import CustomerFactory, MembershipFactory
from tests.rooms.factories import book, escape_room, in_days

pytestmark = pytest.mark.django_db(transaction=True)


def _check(page, axe: Axe, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(screenshots() / f"photos-{name}.png"), full_page=True)
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    assert results.violations_count == 0, results.generate_report()


def test_upload_a_photo_and_find_it_on_the_days_page(live_server, browser, tmp_path):  # type: ignore[no-untyped-def]
    member = MembershipFactory(role=Role.OWNER, user__username="photo-owner")
    org = member.organisation
    owner = Actor.staff(member)
    vault = escape_room(org, owner)
    who = CustomerFactory(organisation=org, name="Claire Dubois")
    session = book(
        owner, vault, in_days(org, 1, "11:30"), 3, 1, mode=State.CONFIRMED, customer_id=who.id
    )
    day = timezone.localtime(timezone.now(), org.zone).date() + timedelta(days=1)
    picture = tmp_path / "group.jpg"
    Image.new("RGB", (320, 200), (30, 120, 160)).save(picture, "JPEG")
    notes = tmp_path / "notes.jpg"
    notes.write_bytes(b"not a picture at all")
    axe = Axe()

    staff = browser.new_context(locale="en-GB").new_page()
    staff.goto(f"{live_server.url}/staff/login/?next=/staff/bookings/{session.reference}/photos/")
    staff.fill("input[name=username]", "photo-owner")
    staff.fill("input[name=password]", "pw-for-tests")
    staff.click("button[type=submit]")
    staff.wait_for_url(f"**/staff/bookings/{session.reference}/photos/")

    staff.set_input_files("#id_photos", str(notes))
    staff.click("button:has-text('Upload')")
    staff.wait_for_selector(".field-error")
    assert "not a JPEG, PNG or WebP image" in staff.inner_text(".field-error")
    assert not SessionPhoto.objects.exists()

    staff.set_input_files("#id_photos", str(picture))
    staff.click("button:has-text('Upload')")
    staff.wait_for_selector("text=Photos added")
    photo = SessionPhoto.objects.get()
    assert staff.locator(f"img[src='/staff/photos/{photo.id}/']").is_visible()
    _check(staff, axe, "booking-en")

    staff.click("text=All photos of that day")
    staff.wait_for_url(f"**/staff/planning/photos/?day={day.isoformat()}")
    link = staff.locator(".day-photos a.photo-link").first
    about = staff.locator(f"#photo-{photo.id}-about")
    assert "Claire Dubois" in about.inner_text() and "4 players" in about.inner_text()
    link.focus()
    staff.wait_for_timeout(300)  # the caption's transition, not a wait for the server
    box = about.bounding_box()
    assert box is not None and box["height"] > 20
    _check(staff, axe, "day-en")

    # Cancel with a partial refund from the session's Cancel tab.
    payments.record_payment(session.id, actor=owner, amount=Decimal("100.00"))
    staff.goto(f"{live_server.url}/staff/bookings/{session.reference}/photos/")
    staff.click("nav.session-tabs >> text=Cancel")
    staff.wait_for_url(f"**/staff/bookings/{session.reference}/session/cancel/")
    _check(staff, axe, "cancel-en")
    staff.fill("#id_coupon", "500")
    staff.click("button:has-text('Cancel the booking')")
    staff.wait_for_selector(".has-error #id_coupon")
    assert Booking.objects.get(id=session.id).state == State.CONFIRMED
    staff.fill("#id_coupon", "")
    staff.fill("#id_refund", "60.00")
    staff.fill("#id_reason", "Ill")
    staff.click("button:has-text('Cancel the booking')")
    staff.wait_for_selector("text=pay it back to the customer yourself")
    cancelled = Booking.objects.get(id=session.id)
    assert cancelled.state == State.CANCELLED
    assert balance(cancelled).refunded.amount == Decimal("60.00")

    for language, width in [("fr", 1280), ("es", 1280), ("fr", 390)]:
        context = browser.new_context(locale=language, viewport={"width": width, "height": 900})
        context.add_cookies(staff.context.cookies())
        page = context.new_page()
        page.goto(f"{live_server.url}/staff/bookings/{session.reference}/photos/")
        _check(page, axe, f"booking-{language}-{width}")
        page.goto(f"{live_server.url}/staff/planning/photos/?day={day.isoformat()}")
        _check(page, axe, f"day-{language}-{width}")
        page.goto(f"{live_server.url}/staff/bookings/{session.reference}/session/cancel/")
        _check(page, axe, f"cancel-{language}-{width}")
        page.goto(f"{live_server.url}/staff/rooms/")
        _check(page, axe, f"rooms-{language}-{width}")
        page.goto(f"{live_server.url}/staff/rooms/{vault.id}/")
        _check(page, axe, f"room-{language}-{width}")
        context.close()
