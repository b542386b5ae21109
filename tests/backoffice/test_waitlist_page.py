"""The staff page of a date's waiting list: positions, offer by hand, remove; another
organisation's date or entry is not found; an agent may work the list."""

from __future__ import annotations

import pytest
from django.test import Client

from tentative.core.permissions import Role
from tentative.waitlist.models import WaitlistEntry
from tests.factories import MembershipFactory, OrganisationFactory, staff
from tests.waitlist.factories import full_date, join

pytestmark = pytest.mark.django_db


def signed_in(org, role=Role.AGENT) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(MembershipFactory(organisation=org, role=role).user)
    return client


def test_the_list_offer_by_hand_and_remove(org):
    date, _t, held = full_date(org, capacity=2)
    ana = join(org, date, "Ana")
    ben = join(org, date, "Ben", quantity=2)
    client = signed_in(org)
    url = f"/staff/dates/{date.id}/waiting-list/"
    page = client.get(url).content.decode()
    assert "Ana" in page and "Ben" in page and "Offer places" in page
    refused = client.post(f"{url}{ben.id}/offer/", follow=True).content.decode()
    assert "Not enough places are free for this entry: 0 available." in refused
    from tentative.bookings.actions import cancel_booking

    cancel_booking(held[0].id, actor=staff(org), reason="r")
    done = client.post(f"{url}{ana.id}/offer/", follow=True).content.decode()
    assert "Places offered to Ana" in done
    assert WaitlistEntry.objects.get(id=ana.id).state == "offered"
    client.post(f"{url}{ben.id}/remove/", {"reason": "duplicate"})
    assert WaitlistEntry.objects.get(id=ben.id).state == "removed"
    assert client.post(f"{url}{ben.id}/dance/").status_code == 404


def test_another_organisations_date_and_entry_are_not_found(org):
    date, _t, _held = full_date(org, capacity=1)
    ana = join(org, date, "Ana")
    stranger = signed_in(OrganisationFactory(), Role.OWNER)
    url = f"/staff/dates/{date.id}/waiting-list/"
    assert stranger.get(url).status_code == 404
    assert stranger.post(f"{url}{ana.id}/remove/").status_code == 404
    assert WaitlistEntry.objects.get(id=ana.id).state == "waiting"
