"""The waiting list's public pages through Django's test client: the join form (errors next
to the fields, values kept, in the visitor's language), the visitor's page (position,
leave, an offer to accept or decline), and links that are tampered with or belong to
another organisation: a 404, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from tentative.bookings.models import Booking
from tentative.payments.actions import cancel_payment_request
from tentative.payments.models import PaymentRequest
from tentative.waitlist import actions
from tentative.waitlist.models import WaitlistEntry
from tests.factories import OrganisationFactory, staff
from tests.waitlist.factories import full_date, join

pytestmark = pytest.mark.django_db


def join_url(org, date) -> str:  # type: ignore[no-untyped-def]
    return f"/o/{org.slug}/dates/{date.id}/waiting-list/"


def test_join_form_errors_stay_next_to_the_fields_with_the_values_kept(org):
    date, _t, _held = full_date(org, capacity=2)
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    response = client.post(join_url(org, date), {"name": "Zoé", "email": "pas-une-adresse"})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'value="Zoé"' in page and 'aria-invalid="true"' in page
    assert "Saisissez une adresse e-mail valide." in page
    too_many = org.public_max_places_per_order + 1
    response = client.post(
        join_url(org, date), {"name": "Zoé", "email": "zoe@example.org", "quantity": too_many}
    )
    assert response.status_code == 422 and not WaitlistEntry.objects.exists()


def test_join_then_the_visitors_page_shows_the_position_and_leaves(org):
    date, _t, _held = full_date(org, capacity=2)
    join(org, date, "Ana")
    client = Client()
    response = client.post(
        join_url(org, date), {"name": "Zoé", "email": "zoe@example.org", "quantity": "2"}
    )
    assert response.status_code == 302
    entry = WaitlistEntry.objects.get(email="zoe@example.org")
    assert response["Location"] == f"/o/{org.slug}/waiting-list/{entry.token}/"
    page = client.get(response["Location"]).content.decode()
    assert "You are number 2 on the waiting list." in page
    again = client.post(
        join_url(org, date), {"name": "Zoé", "email": "zoe@example.org", "quantity": "2"}
    )
    assert "already on the waiting list" in again.content.decode()
    client.post(response["Location"], {"step": "leave"})
    assert WaitlistEntry.objects.get(id=entry.id).state == "left"
    assert "You left the waiting list." in client.get(response["Location"]).content.decode()


def test_a_date_with_free_places_sends_the_visitor_to_book(org):
    from tests.factories import on_sale

    date, _ticket = on_sale(org, capacity=5)
    response = Client().post(
        join_url(org, date), {"name": "Zoé", "email": "zoe@example.org", "quantity": "1"}
    )
    assert response.status_code == 422
    assert "book them directly" in response.content.decode()


def test_accept_opens_a_payment_link_and_decline_passes_it_on(org):
    date, _t, held = full_date(org, capacity=2)
    ana = join(org, date, "Ana")
    ben = join(org, date, "Ben")
    from tentative.bookings.actions import cancel_booking

    cancel_booking(held[0].id, actor=staff(org), reason="r")
    actions.offer_freed_places(now=timezone.now())
    client = Client()
    ana_url = f"/o/{org.slug}/waiting-list/{ana.token}/"
    assert "Places are offered to you" in client.get(ana_url).content.decode()
    response = client.post(ana_url, {"step": "accept"})
    link = PaymentRequest.objects.get(booking__id=WaitlistEntry.objects.get(id=ana.id).offer_id)
    assert response.status_code == 302 and response["Location"] == f"/pay/{link.token}/"
    assert link.expires_at == Booking.objects.get(id=link.booking_id).deadline_enforced
    # Back on the page, *Pay now* (clicked twice) reuses the open link instead of adding one.
    assert "Pay now" in client.get(ana_url).content.decode()
    for _ in range(2):
        again = client.post(ana_url, {"step": "pay"})
        assert again.status_code == 302 and again["Location"] == f"/pay/{link.token}/"
    assert PaymentRequest.objects.filter(booking_id=link.booking_id).count() == 1
    # A link staff withdrew is not reused: the next click opens a new one.
    cancel_payment_request(link.id, actor=staff(org))
    fresh = client.post(ana_url, {"step": "pay"})
    assert fresh.status_code == 302 and fresh["Location"] != f"/pay/{link.token}/"
    assert PaymentRequest.objects.filter(booking_id=link.booking_id, state="open").count() == 1

    # Ben has nothing to accept yet; a bad step is refused with a message, not a 500.
    ben_url = f"/o/{org.slug}/waiting-list/{ben.token}/"
    refused = client.post(ben_url, {"step": "accept"})
    assert refused.status_code == 409 and "no open offer" in refused.content.decode()
    assert client.post(ben_url, {"step": "dance"}).status_code == 422


def test_tampered_links_and_another_organisations_slug_are_not_found(org):
    date, _t, _held = full_date(org, capacity=1)
    ana = join(org, date, "Ana")
    client = Client()
    other = OrganisationFactory()
    assert client.get(f"/o/{org.slug}/waiting-list/{ana.token}x/").status_code == 404
    assert client.get(f"/o/{other.slug}/waiting-list/{ana.token}/").status_code == 404
    assert client.get(f"/o/{other.slug}/dates/{date.id}/waiting-list/").status_code == 404
    assert client.post(f"/o/{org.slug}/waiting-list/%00/", {"step": "leave"}).status_code == 404
    assert client.get(f"/o/{org.slug}/dates/999999/waiting-list/").status_code == 404
    assert WaitlistEntry.objects.get(id=ana.id).state == "waiting"
