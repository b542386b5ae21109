"""The public booking pages: events list, event page, availability fragment, languages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tentative.core.states import State
from tests.factories import EventDateFactory, TicketTypeFactory, book, on_sale, staff

pytestmark = pytest.mark.django_db


def test_the_events_list_shows_each_event_with_its_dates_and_places_left(client, org):
    date, ticket = on_sale(org, capacity=40)
    book(staff(org), date, ticket, quantity=3, mode=State.OPTION)
    page = client.get(reverse("public:organisation", args=[org.slug]), HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200
    assert date.event.name in text
    assert "37 places left" in text


def test_the_event_page_offers_buy_reserve_or_request_per_ticket_type(client, org):
    date, buyable = on_sale(org, capacity=10, reservable=False)
    reservable = TicketTypeFactory(event=date.event, name="Reservable", reservable=True)
    approval = TicketTypeFactory(
        event=date.event,
        name="Members",
        requires_approval=True,
        approval_note="Members only: we check your card before accepting.",
    )
    page = client.get(reverse("public:event", args=[org.slug, date.event_id]))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'name="mode" value="buy"' in text
    assert 'name="mode" value="reserve"' in text
    assert 'name="mode" value="request"' in text
    assert "Members only: we check your card before accepting." in text
    assert reservable.name in text and approval.name in text and buyable.name in text


def test_sold_out_dates_say_so_and_offer_no_button(client, org):
    date, ticket = on_sale(org, capacity=2)
    book(staff(org), date, ticket, quantity=2, mode=State.OPTION)
    page = client.get(reverse("public:availability", args=[org.slug, date.id]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Sold out" in text
    assert 'name="mode"' not in text


def test_a_lapsed_option_s_places_show_as_free_before_the_sweep(client, org):
    date, ticket = on_sale(org, capacity=2)
    option = book(staff(org), date, ticket, quantity=2, mode=State.OPTION)
    now = option.deadline_enforced + timedelta(minutes=1)
    import time_machine

    with time_machine.travel(now, tick=False):
        page = client.get(reverse("public:availability", args=[org.slug, date.id]))
    assert "2 places left" in page.content.decode()


def test_unknown_organisation_event_or_date_is_a_404(client, org):
    date, _ticket = on_sale(org)
    other, _t = on_sale(
        type(org).objects.create(name="Other", slug="other", time_zone="UTC", currency="EUR")
    )
    assert client.get("/o/nope/").status_code == 404
    assert client.get(reverse("public:event", args=[org.slug, other.event_id])).status_code == 404
    assert client.get(reverse("public:availability", args=[org.slug, other.id])).status_code == 404
    assert client.get(reverse("public:event", args=[org.slug, 999999])).status_code == 404
    past = EventDateFactory(event=date.event, starts_at=timezone.now() - timedelta(days=1))
    assert client.get(reverse("public:availability", args=[org.slug, past.id])).status_code == 404


def test_the_language_follows_the_browser_among_the_organisation_s_languages(client, org):
    on_sale(org)
    page = client.get(reverse("public:organisation", args=[org.slug]), HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="fr">' in page.content.decode()
    org.languages, org.default_language = ["en", "es"], "es"
    org.save()
    page = client.get(reverse("public:organisation", args=[org.slug]), HTTP_ACCEPT_LANGUAGE="fr")
    text = page.content.decode()
    assert '<html lang="es">' in text
    assert 'value="fr"' not in text
