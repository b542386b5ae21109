"""The widget for real: an organiser's page served from another site (127.0.0.1) embeds
the app's script (localhost); the overlay frames the event, the visitor chooses places
there and finishes in a new tab that holds them through the shop's CSRF-protected form.
Chromium blocks third-party cookies, so nothing in the frame may need one. On a phone the
button opens a new tab. Screenshots in en/fr/es and at 390 px; axe on the framed page and
the continue page."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from axe_playwright_python.sync_playwright import Axe

from tentative.bookings.models import Booking
from tests.e2e.test_staff_pages import WCAG, screenshots
from tests.factories import OrganisationFactory, on_sale

pytestmark = pytest.mark.django_db(transaction=True)

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Théâtre du Lac — our own site</title></head>
<body><main><h1>Summer concert</h1><p>Book your seats:</p>
<script src="{src}" data-event="{event}" async></script></main></body></html>"""


@pytest.fixture
def organiser_site():  # type: ignore[no-untyped-def]
    """A page of the organiser's own site, on another origin than the app."""
    body: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body["page"])

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", body
    server.shutdown()
    thread.join(timeout=5)


def _world(live_server, organiser_site):  # type: ignore[no-untyped-def]
    origin, body = organiser_site
    org = OrganisationFactory(languages=["en", "fr", "es"], widget_sites=[origin])
    date, ticket = on_sale(org, capacity=20, name="Adult", reservable=True)
    src = f"{live_server.url}/o/{org.slug}/widget.js"
    body["page"] = PAGE.format(src=src, event=date.event_id).encode()
    return origin, org, date, ticket


@pytest.mark.parametrize(
    ("language", "label", "buy"),
    [("en", "Book now", "Buy"), ("fr", "Réserver", "Acheter"), ("es", "Reservar", "Comprar")],
)
def test_overlay_then_checkout_in_a_new_tab(
    live_server, browser, organiser_site, language, label, buy
):  # type: ignore[no-untyped-def]
    origin, org, *_ = _world(live_server, organiser_site)
    out = screenshots()
    context = browser.new_context(locale=language, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(origin + "/")
    page.get_by_role("button", name=label).click()
    dialog = page.get_by_role("dialog")
    frame = page.frame_locator("iframe")
    frame.get_by_role("heading", level=1).wait_for()
    assert frame.locator("html").get_attribute("lang") == language
    page.screenshot(path=str(out / f"widget-overlay-{language}-1280.png"))
    # Escape closes the overlay and gives the focus back to the button. (Checked before the
    # checkout's tab opens: Chromium headless may never deliver a key to the page left
    # behind a popup, and the test would wait forever.)
    frame.get_by_role("heading", level=1).press("Escape")
    assert dialog.count() == 0
    assert page.evaluate("document.activeElement.className") == "tentative-book"
    page.get_by_role("button", name=label).click()
    frame.get_by_role("heading", level=1).wait_for()
    with page.expect_popup() as popup:
        frame.get_by_role("button", name=buy, exact=True).first.click()
    tab = popup.value
    tab.wait_for_load_state()
    assert "/widget/continue/" in tab.url
    tab.screenshot(path=str(out / f"widget-continue-{language}-1280.png"), full_page=True)
    results = Axe().run(tab, options={"runOnly": {"type": "tag", "values": WCAG}})
    assert not results.violations_count, results.generate_report()
    tab.get_by_role("button", name=buy, exact=True).click()
    tab.wait_for_url(f"**/o/{org.slug}/checkout/**")
    held = Booking.objects.get(organisation=org, checkout_token__isnull=False)
    assert held.lines.get().quantity == 1 and held.channel == "web"
    context.close()


def test_the_framed_page_passes_axe(live_server, browser, organiser_site):  # type: ignore[no-untyped-def]
    _, org, date, _ = _world(live_server, organiser_site)
    context = browser.new_context(locale="fr")
    page = context.new_page()
    page.goto(f"{live_server.url}/o/{org.slug}/widget/events/{date.event_id}/?lang=fr")
    page.screenshot(path=str(screenshots() / "widget-frame-fr-1280.png"), full_page=True)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    assert not results.violations_count, results.generate_report()
    context.close()


def test_a_site_not_allowed_cannot_frame_it_and_gets_a_new_tab(
    live_server, browser, organiser_site
):  # type: ignore[no-untyped-def]
    origin, org, date, _ = _world(live_server, organiser_site)
    org.widget_sites = []
    org.save()
    context = browser.new_context(locale="en")
    page = context.new_page()
    page.goto(origin + "/")
    with page.expect_popup() as popup:
        page.get_by_role("button", name="Book now").click()
    assert popup.value.url.startswith(f"{live_server.url}/o/{org.slug}/events/{date.event_id}/")
    assert page.get_by_role("dialog").count() == 0
    # Framing it by hand is refused by the browser (CSP frame-ancestors 'none').
    page.evaluate(
        "src => { const f = document.createElement('iframe'); f.src = src; "
        "document.body.appendChild(f); }",
        f"{live_server.url}/o/{org.slug}/widget/events/{date.event_id}/",
    )
    page.wait_for_timeout(500)
    frame = page.frames[-1]
    assert "Adult" not in (frame.content() if frame != page.main_frame else "")
    context.close()


def test_on_a_phone_the_button_opens_a_new_tab(live_server, browser, organiser_site):  # type: ignore[no-untyped-def]
    origin, org, date, _ = _world(live_server, organiser_site)
    context = browser.new_context(locale="fr", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(origin + "/")
    button = page.get_by_role("button", name="Réserver")
    page.screenshot(path=str(screenshots() / "widget-button-fr-390.png"))
    with page.expect_popup() as popup:
        button.click()
    tab = popup.value
    tab.wait_for_load_state()
    assert tab.url.startswith(f"{live_server.url}/o/{org.slug}/events/{date.event_id}/")
    tab.screenshot(path=str(screenshots() / "widget-phone-fr-390.png"), full_page=True)
    assert page.get_by_role("dialog").count() == 0
    context.close()
