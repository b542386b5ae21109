"""Who may open the pages of the design helper (dashboard, bookings list, style guide): every
staff role of the organisation sees its own data; a signed-out visitor is sent to sign in;
a signed-in user with no membership gets 403; another organisation's staff see none of it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tentative.audit.models import AuditEntry
from tentative.bookings.models import Booking
from tentative.core.permissions import Role
from tentative.core.states import State
from tests.factories import MembershipFactory, OrganisationFactory, book, on_sale, staff

pytestmark = pytest.mark.django_db

PAGES = ["/staff/", "/staff/bookings/", "/staff/bookings/?state=request", "/staff/style/"]
WHO = ["owner", "manager", "agent", "other-organisation", "no-membership", "signed-out"]
EXPECTED = {
    "owner": 200,
    "manager": 200,
    "agent": 200,
    "other-organisation": 200,  # their own (empty) pages: checked below to hold nothing of ours
    "no-membership": 403,
    "signed-out": 302,
}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("path", PAGES)
def test_each_role_on_each_page(client, who, path):
    org, other = OrganisationFactory(), OrganisationFactory()
    date, ticket = on_sale(org, requires_approval=True)
    ours = book(staff(org), date, ticket, mode=State.REQUEST)
    before = (Booking.objects.count(), AuditEntry.objects.count())
    if who in ("owner", "manager", "agent"):
        client.force_login(MembershipFactory(organisation=org, role=Role(who)).user)
    elif who == "other-organisation":
        client.force_login(MembershipFactory(organisation=other, role=Role.OWNER).user)
    elif who == "no-membership":
        client.force_login(get_user_model().objects.create_user("nobody", password="x"))
    response = client.get(path)
    assert response.status_code == EXPECTED[who]
    if who == "signed-out":
        assert response["Location"].startswith("/staff/login/")
    body = response.content.decode()
    if who in ("owner", "manager", "agent") and path != "/staff/style/":
        assert ours.reference in body or 'id="pending-requests">1<' in body
    else:
        assert ours.reference not in body
        assert 'id="pending-requests">1<' not in body
    assert (Booking.objects.count(), AuditEntry.objects.count()) == before


def test_the_style_guides_post_changes_nothing(client):
    org = OrganisationFactory()
    client.force_login(MembershipFactory(organisation=org, role=Role.AGENT).user)
    before = AuditEntry.objects.count()
    response = client.post("/staff/style/", {"name": "<script>alert(1)</script>", "places": "-5"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert AuditEntry.objects.count() == before
