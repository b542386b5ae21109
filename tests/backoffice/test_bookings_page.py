"""The staff bookings list: every kind of offer, in the organisation's time zone."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tentative.core.states import State
from tentative.shared.actor import Actor
from tests.factories import MembershipFactory, book, book_slot, on_sale, service, staff_member

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def test_the_list_shows_tickets_and_appointments_at_the_organisations_local_time(client, org):
    evening = datetime(2031, 7, 14, 20, 30, tzinfo=PARIS)  # 18:30 UTC in summer
    date, ticket = on_sale(org, starts_at=evening)
    alice = staff_member(org, "Alice Dupont")
    haircut = service(org, alice)
    membership = MembershipFactory(organisation=org)
    owner = Actor.staff(membership)
    book(owner, date, ticket, mode=State.CONFIRMED)
    book_slot(owner, haircut, alice, datetime(2031, 1, 10, 9, 0, tzinfo=PARIS))
    client.force_login(membership.user)
    page = client.get("/staff/", headers={"accept-language": "fr"}).content.decode()
    assert "14/07/2031 20:30" in page and "18:30" not in page  # Paris, not UTC
    assert "10/01/2031 09:00" in page
    assert "Alice Dupont" in page and haircut.name in page
    english = client.get("/staff/", headers={"accept-language": "en"}).content.decode()
    assert "07/14/2031 8:30 p.m." in english


def test_the_time_zone_does_not_leak_into_the_next_request(client, org):
    membership = MembershipFactory(organisation=org)
    client.force_login(membership.user)
    client.get("/staff/")
    assert timezone.get_current_timezone_name() == "UTC"
    assert timedelta(0) == timezone.get_current_timezone().utcoffset(datetime(2031, 7, 14))
