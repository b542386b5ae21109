"""The coupon pages in a real browser, in en/fr/es at a phone's width (390 px) and a
desk's: nothing wider than the screen but the tables (which scroll inside the page), and
the words in the reader's language. Screenshots go to $TENTATIVE_SCREENSHOTS when set."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.payments import actions
from tentative.shared.actor import Actor
from tests.factories import CustomerFactory, MembershipFactory, OrganisationFactory, book, on_sale

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "en": "Coupons and gift vouchers",
    "fr": "Avoirs et chèques-cadeaux",
    "es": "Vales y tarjetas regalo",
}


def test_the_coupon_pages_in_three_languages_on_a_phone(live_server, browser, tmp_path):
    org = OrganisationFactory(name="Théâtre du Nord")
    member = MembershipFactory(organisation=org, role=Role.OWNER, user__username="caisse")
    owner = Actor.staff(member)
    date, ticket = on_sale(org, capacity=20, name="Tarif plein")
    who = CustomerFactory(organisation=org, name="Camille Martin")
    booking = book(owner, date, ticket, quantity=3, mode=State.OPTION, customer_id=who.id)
    coupon = actions.issue_voucher(
        actor=owner, kind="coupon", amount=Decimal("50"), email="camille@example.org"
    )
    actions.issue_voucher(actor=owner, kind="gift", amount=Decimal("100"), method="terminal")
    actions.redeem_voucher(booking.id, coupon.code, Decimal("20"), actor=owner)
    out = Path(os.environ.get("TENTATIVE_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    pages = {
        "list": "/staff/vouchers/",
        "detail": f"/staff/vouchers/{coupon.code}/",
        "money": f"/staff/bookings/{booking.reference}/money/",
    }
    for language in ("en", "fr", "es"):
        for width in (390, 1200):
            context = browser.new_context(locale=language, viewport={"width": width, "height": 900})
            page = context.new_page()
            page.goto(f"{live_server.url}/staff/login/")
            page.fill("input[name=username]", "caisse")
            page.fill("input[name=password]", "pw-for-tests")
            page.click("button[type=submit]")
            page.wait_for_selector("main")
            for name, path in pages.items():
                page.goto(live_server.url + path)
                if name == "list":
                    assert WORDS[language] in page.inner_text("h1")
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0, (language, width, name, overflow)
                page.screenshot(path=str(out / f"{name}-{language}-{width}.png"), full_page=True)
            context.close()
