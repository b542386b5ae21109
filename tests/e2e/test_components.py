"""The design system's behaviours in a browser (docs/design.md): the confirmation dialog is a
modal with JavaScript and a plain inline form without it; the language switcher and the
navigation work at a phone's width."""

from __future__ import annotations

import pytest

from tentative.core.permissions import Role
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in(browser, live_server, **options):  # type: ignore[no-untyped-def]
    org = OrganisationFactory(name="Théâtre du Nord")
    MembershipFactory(organisation=org, role=Role.AGENT, user__username="desk")
    context = browser.new_context(locale="en-GB", **options)
    page = context.new_page()
    page.goto(f"{live_server.url}/staff/login/")
    page.fill("input[name=username]", "desk")
    page.fill("input[name=password]", "pw-for-tests")
    page.click("form.login button[type=submit]")  # not the language form's <noscript> button
    page.wait_for_url(f"{live_server.url}/staff/")
    return context, page


def test_the_confirmation_is_a_modal_dialog_with_javascript(live_server, browser):
    context, page = signed_in(browser, live_server)
    page.goto(f"{live_server.url}/staff/style/")
    box = page.locator(".confirm").first
    dialog = box.locator("dialog")
    assert not dialog.is_visible()
    box.locator("button[data-open]").click()
    assert dialog.is_visible()
    assert page.evaluate("document.querySelector('.confirm dialog').matches(':modal')")
    box.locator("button[data-close]").click()
    assert not dialog.is_visible()
    context.close()


def test_without_javascript_the_confirmation_is_an_inline_form(live_server, browser):
    context, page = signed_in(browser, live_server, java_script_enabled=False)
    page.goto(f"{live_server.url}/staff/style/")
    box = page.locator(".confirm").first
    assert box.locator("dialog textarea[name=reason]").is_visible()
    assert box.locator("dialog button[type=submit]").is_visible()
    assert not box.locator("button[data-open]").is_visible()
    context.close()


def test_on_a_phone_the_navigation_scrolls_and_the_language_switches(live_server, browser):
    context, page = signed_in(browser, live_server, viewport={"width": 390, "height": 800})
    assert "Théâtre du Nord" in page.inner_text(".appbar .brand")
    width = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    assert page.evaluate(width) <= 0
    assert page.locator('nav.main a[aria-current="page"]').inner_text() == "Dashboard"
    page.select_option("select[name=language]", "fr")
    page.wait_for_selector("html[lang=fr]")
    assert page.locator("h1").inner_text() == "Tableau de bord"
    context.close()
