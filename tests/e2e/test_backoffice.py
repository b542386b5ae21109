"""Staff sign in and see their organisation's bookings, and only theirs."""

import pytest

from tentative.core.permissions import Role
from tentative.core.states import State
from tests.factories import MembershipFactory, OrganisationFactory, book, on_sale, staff

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_sign_in_and_see_only_their_bookings(live_server, page):
    org, other = OrganisationFactory(), OrganisationFactory()
    agent = MembershipFactory(organisation=org, role=Role.AGENT, user__username="front-desk")
    date, ticket = on_sale(org, capacity=10, name="Tarif plein")
    mine = book(staff(org), date, ticket, mode=State.OPTION, quantity=2)
    other_date, other_ticket = on_sale(other)
    theirs = book(staff(other), other_date, other_ticket)

    page.goto(f"{live_server.url}/staff/bookings/")
    assert "/staff/login/" in page.url
    page.fill("input[name=username]", agent.user.username)
    page.fill("input[name=password]", "pw-for-tests")
    page.click("button[type=submit]")

    page.wait_for_selector("table")
    body = page.inner_text("main")
    assert mine.reference in body and "2 × Tarif plein" in body
    assert theirs.reference not in body
    assert mine.deadline_rule in body

    page.select_option("select[name=state]", "confirmed")
    page.wait_for_url("**state=confirmed**")
    assert mine.reference not in page.inner_text("main")


def test_a_wrong_password_is_refused(live_server, page):
    MembershipFactory(user__username="someone")
    page.goto(f"{live_server.url}/staff/login/")
    page.fill("input[name=username]", "someone")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    assert "didn't match" in page.inner_text("main")
